package dev.ferry.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The common shape of a test's ferry.yaml: a source named primary, a journal directory and named
 * replicas, e.g. {@code FerryYaml.source(url, dir.resolve("journal")).replica("r1", target).writeTo(file)}.
 */
final class FerryYaml {
  private final String sourceUrl;
  private final Path journal;
  private final List<String> replicas = new ArrayList<>();

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

  FerryYaml replica(String name, String url) {
    replicas.add("  - name: " + name + "\n    url: " + url + "\n");
    return this;
  }

  String text() {
    return """
        source:
          name: primary
          url: %s
        journal:
          dir: %s
        replicas:
        """.formatted(sourceUrl, journal) + String.join("", replicas);
  }

  Path writeTo(Path file) throws IOException {
    Files.writeString(file, text());
    return file;
  }
}
