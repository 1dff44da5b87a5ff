package dev.ferry.node.cli;

import dev.ferry.journal.SegmentFiles;
import dev.ferry.transport.SegmentDigests;
import dev.ferry.transport.SegmentListing;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The sealed segments a new primary serves over HTTP ({@code GET <url>/segments.list} and each
 * segment), downloaded into a scratch directory for {@code ferry rejoin} to compare, each checked
 * against the listing's SHA-256. Stateless.
 */
final class NewPrimaryJournal {
  private NewPrimaryJournal() {}

  /**
   * Downloads the listed segments of {@code url} that the comparison needs into {@code into};
   * refuses another journal than {@code id}. Segments older than the old primary's oldest (in
   * {@code own}) are skipped; of the rest, those it holds byte for byte (same name, same SHA-256)
   * are history both share: only the last of that shared run is fetched (the branch point may be its
   * last transaction), then everything after it. Returns how many segments were fetched and how
   * many were found shared.
   */
  static Fetched fetch(String url, UUID id, Path own, Path into) throws IOException, InterruptedException {
    String base = url.endsWith("/") ? url : url + "/";
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    byte[] text = get(http, base + SegmentListing.FILE_NAME);
    SegmentListing listing;
    try {
      listing = SegmentListing.parse(text, base + SegmentListing.FILE_NAME);
    } catch (IOException e) {
      throw new CliException("ferry rejoin --from " + url + ": " + e.getMessage());
    }
    if (!listing.journal().equals(id)) {
      throw new CliException("ferry rejoin --from " + url + " serves journal " + listing.journal() + ", but this"
          + " node's journal is " + id + ": this is not the old primary of that journal (or --from names another"
          + " node); nothing was changed");
    }
    long oldest = oldestSegment(own);
    List<SegmentListing.Entry> entries = listing.entries().stream().filter(e -> e.number() >= oldest).toList();
    int shared = sharedPrefix(entries, own);
    int first = Math.max(0, shared - 1);
    for (SegmentListing.Entry e : entries.subList(first, entries.size())) {
      byte[] bytes = get(http, base + e.name());
      String sha = SegmentDigests.sha256(bytes);
      if (!sha.equals(e.sha256())) {
        throw new CliException("ferry rejoin --from " + url + ": segment " + e.name() + " has SHA-256 " + sha
            + ", the listing says " + e.sha256() + "; nothing was changed, try again");
      }
      Files.write(into.resolve(e.name()), bytes);
    }
    return new Fetched(entries.size() - first, shared);
  }

  /** How many segments were downloaded, and how many leading listed ones the old primary holds identically. */
  record Fetched(int segments, int shared) {}

  /**
   * The old primary's oldest segment: what it purged cannot hold the branch point (a branch point
   * it does not hold is refused anyway), so the new primary's segments before it are not fetched.
   */
  private static long oldestSegment(Path own) throws IOException {
    try (Stream<Path> files = Files.list(own)) {
      return files.map(SegmentFiles::segmentNumber).filter(java.util.OptionalLong::isPresent)
          .mapToLong(java.util.OptionalLong::getAsLong).min().orElse(Long.MAX_VALUE);
    }
  }

  /** The number of leading entries the journal in {@code own} holds with the same name and SHA-256. */
  private static int sharedPrefix(List<SegmentListing.Entry> entries, Path own) throws IOException {
    int n = 0;
    for (SegmentListing.Entry e : entries) {
      Path file = own.resolve(e.name());
      if (!Files.isRegularFile(file) || Files.size(file) != e.size() || !SegmentDigests.sha256(file).equals(e.sha256())) {
        break;
      }
      n++;
    }
    return n;
  }

  static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static byte[] get(HttpClient http, String url) throws IOException, InterruptedException {
    HttpResponse<byte[]> r;
    try {
      r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new CliException("ferry rejoin: cannot read " + url + " (" + e + "): is the new primary's"
          + " journal.serve.http reachable there? Nothing was changed");
    }
    if (r.statusCode() != 200) {
      throw new CliException("ferry rejoin: " + url + " answered HTTP " + r.statusCode() + "; nothing was changed");
    }
    return r.body();
  }
}
