package dev.ferry.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The common shape of a test's ferry.yaml: a source named primary, a journal directory and named
 * replicas, e.g. {@code FerryYaml.source(url, dir.resolve("journal")).replica("r1", target).writeTo(file)}.
 */
final class FerryYaml {
  private final String sourceUrl;
  private final Path journal;
  private final List<String> sourceExtras = new ArrayList<>();
  private final List<String> journalExtras = new ArrayList<>();
  private final List<String> replicas = new ArrayList<>();
  private final List<String> sections = new ArrayList<>();

  private FerryYaml(String sourceUrl, Path journal) {
    this.sourceUrl = sourceUrl;
    this.journal = journal;
  }

  static FerryYaml source(String sourceUrl, Path journal) {
    return new FerryYaml(sourceUrl, journal);
  }

  /** The usual test setup: one replica named r1. */
  static String oneReplica(String sourceUrl, Path journal, String replicaUrl) {
    return source(sourceUrl, journal).replica("r1", replicaUrl).text();
  }

  /** {@code source.tables.include}: one regular expression, written as it is between single quotes. */
  FerryYaml includeTables(String regex) {
    sourceExtras.add("  tables: { include: ['" + regex + "'] }\n");
    return this;
  }

  /** {@code source.streaming: on}: PostgreSQL streams big transactions while they are in progress. */
  FerryYaml streaming() {
    sourceExtras.add("  streaming: on\n");
    return this;
  }

  /** {@code journal.segment-size}, e.g. {@code 1MiB}. */
  FerryYaml segmentSize(String size) {
    journalExtras.add("  segment-size: " + size + "\n");
    return this;
  }

  /** {@code journal.serve.http} with {@code listen} and {@code token}. */
  FerryYaml serveHttp(String listen, String token) {
    journalExtras.add("  serve:\n    http: { listen: '" + listen + "', token: " + token + " }\n");
    return this;
  }

  /** The node's {@code http:} server on {@code listen}, with {@code token} when given. */
  FerryYaml http(String listen, Optional<String> token) {
    sections.add("http:\n  listen: '" + listen + "'\n" + token.map(t -> "  token: " + t + "\n").orElse(""));
    return this;
  }

  FerryYaml replica(String name, String url) {
    replicas.add("  - name: " + name + "\n    url: " + url + "\n");
    return this;
  }

  /** A replica with {@code conflicts}, e.g. {@code overwrite}. */
  FerryYaml replicaWithConflicts(String name, String url, String conflicts) {
    replicas.add("  - name: " + name + "\n    url: " + url + "\n    conflicts: " + conflicts + "\n");
    return this;
  }

  /** A replica with {@code mode}, e.g. {@code read-only}. */
  FerryYaml replica(String name, String url, String mode) {
    replicas.add("  - name: " + name + "\n    url: " + url + "\n    mode: " + mode + "\n");
    return this;
  }

  /** A replica with {@code apply.workers} and {@code apply.commit-order}. */
  FerryYaml replicaWithWorkers(String name, String url, int workers, String commitOrder) {
    replicas.add("  - name: " + name + "\n    url: " + url + "\n    apply: { workers: " + workers + ", commit-order: "
        + commitOrder + " }\n");
    return this;
  }

  String text() {
    return "source:\n  name: primary\n  url: " + sourceUrl + "\n" + String.join("", sourceExtras)
        + "journal:\n  dir: " + journal + "\n" + String.join("", journalExtras)
        + "replicas:\n" + String.join("", replicas) + String.join("", sections);
  }

  Path writeTo(Path file) throws IOException {
    Files.writeString(file, text());
    return file;
  }
}
