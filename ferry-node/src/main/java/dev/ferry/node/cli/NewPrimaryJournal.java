package dev.ferry.node.cli;

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
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The sealed segments a new primary serves over HTTP ({@code GET <url>/segments.list} and each
 * segment), downloaded into a scratch directory for {@code ferry rejoin} to compare, each checked
 * against the listing's SHA-256. Stateless.
 */
final class NewPrimaryJournal {
  private NewPrimaryJournal() {}

  /** Downloads every listed segment of {@code url} into {@code into}; refuses another journal than {@code id}. */
  static void fetch(String url, UUID id, Path into) throws IOException, InterruptedException {
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
    for (SegmentListing.Entry e : listing.entries()) {
      byte[] bytes = get(http, base + e.name());
      String sha = SegmentDigests.sha256(bytes);
      if (!sha.equals(e.sha256())) {
        throw new CliException("ferry rejoin --from " + url + ": segment " + e.name() + " has SHA-256 " + sha
            + ", the listing says " + e.sha256() + "; nothing was changed, try again");
      }
      Files.write(into.resolve(e.name()), bytes);
    }
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
