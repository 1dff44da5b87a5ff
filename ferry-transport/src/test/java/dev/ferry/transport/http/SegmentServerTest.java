package dev.ferry.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.SegmentState;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.transport.BearerToken;
import dev.ferry.transport.SegmentDigests;
import dev.ferry.transport.SegmentListing;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The journal's read-only HTTP server on a real socket: token, listing, immutable segments, ranges, 404, 405. */
@Timeout(60)
class SegmentServerTest {
  private static final String TOKEN = "s3cret-token";
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir Path dir;
  private SegmentServer server;
  private List<SegmentInfo> sealed;

  @BeforeEach
  void serveAJournal() throws IOException {
    try (Journal journal = Journal.open(JournalConfig.defaults(dir).withSegmentBytes(4096))) {
      for (int seq = 1; seq <= 120; seq++) {
        journal.append(Transactions.accounts(seq)).join();
      }
    }
    sealed = JournalInspector.list(dir).stream().filter(s -> s.state() != SegmentState.OPEN).toList();
    assertThat(sealed).hasSizeGreaterThan(2);
    server = SegmentServer.start(dir, new HttpServeConfig("127.0.0.1", 0, Optional.of(new BearerToken(TOKEN))));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    return send("GET", path, headers);
  }

  private HttpResponse<byte[]> send(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method(method, method.equals("GET") || method.equals("HEAD") ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString("x"));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> authorized(String path, String... more) throws Exception {
    String[] headers = Arrays.copyOf(more, more.length + 2);
    headers[more.length] = "Authorization";
    headers[more.length + 1] = "Bearer " + TOKEN;
    return get(path, headers);
  }

  private String first() {
    return "/" + sealed.getFirst().path().getFileName();
  }

  @Test
  void withoutTheTokenOrWithAWrongOneEveryRequestGets401AndNothingElse() throws Exception {
    for (HttpResponse<byte[]> r : List.of(get("/segments.list"), get(first()),
        get("/nothing"), get(first(), "Authorization", "Bearer wrong"),
        get(first(), "Authorization", "Bearer " + TOKEN + "x"), get(first(), "Authorization", TOKEN),
        send("PUT", first()))) {
      assertThat(r.statusCode()).as("%s", r.uri()).isEqualTo(401);
      assertThat(r.body()).isEmpty();
      assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer");
      assertThat(r.headers().firstValue("ETag")).isEmpty();
      assertThat(r.headers().firstValue("Content-Range")).isEmpty();
    }
  }

  @Test
  void listsTheSealedSegmentsWithTheirSizeAndSha256() throws Exception {
    HttpResponse<byte[]> r = authorized("/segments.list");

    assertThat(r.statusCode()).isEqualTo(200);
    SegmentListing listing = SegmentListing.parse(r.body(), "listing");
    assertThat(listing.journal()).isEqualTo(JournalInspector.journalId(dir));
    assertThat(listing.entries()).hasSize(sealed.size());
    for (int i = 0; i < sealed.size(); i++) {
      SegmentListing.Entry e = listing.entries().get(i);
      Path file = sealed.get(i).path();
      assertThat(e.name()).isEqualTo(file.getFileName().toString());
      assertThat(e.size()).isEqualTo(Files.size(file));
      assertThat(e.sha256()).isEqualTo(SegmentDigests.sha256(file));
    }
    assertThat(listing.entries()).noneMatch(e -> SegmentFiles.isOpenSegment(Path.of(e.name())));
    String etag = r.headers().firstValue("ETag").orElseThrow();
    assertThat(authorized("/segments.list", "If-None-Match", etag).statusCode()).isEqualTo(304);
  }

  @Test
  void servesASegmentAsAnImmutableFileWhoseETagIsItsSha256() throws Exception {
    Path file = sealed.getFirst().path();
    HttpResponse<byte[]> r = authorized(first());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(Files.readAllBytes(file));
    String etag = "\"" + SegmentDigests.sha256(file) + "\"";
    assertThat(r.headers().firstValue("ETag")).contains(etag);
    assertThat(r.headers().firstValue("Cache-Control").orElseThrow()).contains("immutable");
    assertThat(r.headers().firstValue("Accept-Ranges")).contains("bytes");
    HttpResponse<byte[]> again = authorized(first(), "If-None-Match", "\"other\", " + etag);
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    assertThat(authorized(first(), "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
  }

  @Test
  void answersRangeRequests() throws Exception {
    byte[] bytes = Files.readAllBytes(sealed.getFirst().path());
    int size = bytes.length;

    HttpResponse<byte[]> middle = authorized(first(), "Range", "bytes=10-19");
    assertThat(middle.statusCode()).isEqualTo(206);
    assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(bytes, 10, 20));
    assertThat(middle.headers().firstValue("Content-Range")).contains("bytes 10-19/" + size);

    HttpResponse<byte[]> tail = authorized(first(), "Range", "bytes=-5");
    assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(bytes, size - 5, size));
    HttpResponse<byte[]> from = authorized(first(), "Range", "bytes=100-");
    assertThat(from.body()).isEqualTo(Arrays.copyOfRange(bytes, 100, size));
    HttpResponse<byte[]> past = authorized(first(), "Range", "bytes=" + (size - 3) + "-" + (size + 50));
    assertThat(past.body()).isEqualTo(Arrays.copyOfRange(bytes, size - 3, size));

    HttpResponse<byte[]> beyond = authorized(first(), "Range", "bytes=" + size + "-");
    assertThat(beyond.statusCode()).isEqualTo(416);
    assertThat(beyond.headers().firstValue("Content-Range")).contains("bytes */" + size);

    HttpResponse<byte[]> stale = authorized(first(), "Range", "bytes=0-9", "If-Range", "\"changed\"");
    assertThat(stale.statusCode()).as("If-Range with another ETag: the whole file").isEqualTo(200);
    assertThat(stale.body()).isEqualTo(bytes);
    HttpResponse<byte[]> two = authorized(first(), "Range", "bytes=0-1,5-6");
    assertThat(two.statusCode()).as("several ranges: the whole file").isEqualTo(200);
    HttpResponse<byte[]> junk = authorized(first(), "Range", "bytes=abc");
    assertThat(junk.statusCode()).isEqualTo(200);
  }

  @Test
  void aHeadRequestHasTheHeadersAndNoBody() throws Exception {
    HttpResponse<byte[]> r = send("HEAD", first(), "Authorization", "Bearer " + TOKEN);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(Files.size(sealed.getFirst().path()));
    assertThat(r.body()).isEmpty();
  }

  @Test
  void anythingButTheListingAndSealedSegmentsIs404() throws Exception {
    String open = "/" + SegmentFiles.openName(sealed.getLast().number() + 1);
    String missing = "/" + SegmentFiles.sealedName(999, 5);
    for (String path : List.of("/", "/journal.id", "/journal.lock", open, missing, "/consumers",
        "/..%2Fjournal.id", "/x/" + first().substring(1), first() + ".tmp", "/segments.list/x")) {
      HttpResponse<byte[]> r = authorized(path);
      assertThat(r.statusCode()).as(path).isIn(400, 404);
      assertThat(r.body()).as(path).isEmpty();
    }
  }

  @Test
  void nothingCanBeWrittenThroughIt() throws Exception {
    byte[] before = Files.readAllBytes(sealed.getFirst().path());
    for (String method : List.of("PUT", "POST", "DELETE", "PATCH")) {
      HttpResponse<byte[]> r = send(method, first(), "Authorization", "Bearer " + TOKEN);
      assertThat(r.statusCode()).as(method).isEqualTo(405);
      assertThat(r.headers().firstValue("Allow")).contains("GET, HEAD");
      assertThat(r.headers().firstValue("Connection")).as("the unread body: the connection is not reused")
          .contains("close");
    }
    assertThat(Files.readAllBytes(sealed.getFirst().path())).isEqualTo(before);
  }

  @Test
  void withoutATokenItServesEveryone() throws Exception {
    try (SegmentServer open = SegmentServer.start(dir, new HttpServeConfig("127.0.0.1", 0, Optional.empty()))) {
      HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://" + open.address()
          + "/segments.list")).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aPortInUseIsAnErrorNamingTheAddress() {
    HttpServeConfig taken = new HttpServeConfig("127.0.0.1", server.port(), Optional.empty());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SegmentServer.start(dir, taken))
        .isInstanceOf(IOException.class).hasMessageContaining("cannot serve over HTTP on 127.0.0.1:" + server.port());
  }
}
