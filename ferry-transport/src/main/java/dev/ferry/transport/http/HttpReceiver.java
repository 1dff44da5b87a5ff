package dev.ferry.transport.http;

import dev.ferry.journal.JournalConfig;
import dev.ferry.transport.CopyReceiver;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.KeyStoreFile;
import dev.ferry.transport.SegmentDigests;
import dev.ferry.transport.SegmentListing;
import dev.ferry.transport.SegmentSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A journal copy pulled over HTTP (MusicBrainz's replication packets): at every pass it reads the
 * server's {@link SegmentListing} ({@code <url>segments.list}, revalidated with
 * {@code If-None-Match}), then downloads the segment the copy continues with, checks its size and
 * SHA-256 against the listing, and offers it to the copy; then the next, strictly in order, until
 * the listing has no more. A download that breaks off, is cut short or has another SHA-256 (a
 * corrupted transfer) is not offered: the pass fails and the segment is fetched again after the
 * receiver's back-off. While a segment is written into the copy, the next one is already downloaded
 * and checked (one ahead, when the heap has room for both). The server may be Ferry's ({@code journal.serve.http}) or any static file
 * server that serves an archive directory, which holds the listing ({@code Archiver} writes it).
 * The {@link CopyReceiver} does the rest (order, refusals, status, purge).
 *
 * <p>Not thread-safe: the receiver's thread calls it (a download ahead runs on a thread of its
 * own, but touches only the thread-safe HTTP client).
 */
public final class HttpReceiver implements SegmentSource {
  private static final Logger LOG = LoggerFactory.getLogger(HttpReceiver.class);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private final JournalFrom.Http from;
  private final Duration stallTimeout;
  private final HttpClient client;
  private final URI listingUri;
  private Optional<SegmentListing> listing = Optional.empty();
  private Optional<String> listingTag = Optional.empty();
  /** Whether the copy's newest segment was compared with the server's ({@link #sameHistory}); pass thread only. */
  private boolean historyChecked;
  private boolean toldWaiting;

  private HttpReceiver(JournalFrom.Http from, Duration stallTimeout) throws IOException {
    this.from = from;
    this.stallTimeout = stallTimeout;
    HttpClient.Builder client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(from.timeout().compareTo(CONNECT_TIMEOUT) < 0 ? from.timeout() : CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER);
    if (from.trustStore().isPresent()) {
      client.sslContext(trusting(from.trustStore().get()));
    }
    this.client = client.build();
    this.listingUri = from.url().resolve(SegmentListing.FILE_NAME);
  }

  /** Starts receiving into the copy in {@code copy.directory()} (created if missing) from {@code from}. */
  public static CopyReceiver start(JournalConfig copy, JournalFrom.Http from) throws IOException {
    return CopyReceiver.start(copy, new HttpReceiver(from, from.timeout()));
  }

  /** As {@link #start(JournalConfig, JournalFrom.Http)}, giving up on a body after {@code stall} without data. */
  static CopyReceiver start(JournalConfig copy, JournalFrom.Http from, Duration stall) throws IOException {
    return CopyReceiver.start(copy, new HttpReceiver(from, stall));
  }

  /**
   * The source alone, for a caller that drives its passes: a test, or {@code ferry promote
   * --fetch-from URL} ({@link dev.ferry.transport.CopyFetch}), which runs one pass.
   */
  public static HttpReceiver source(JournalFrom.Http from) throws IOException {
    return new HttpReceiver(from, from.timeout());
  }

  /** TLS that trusts the certificates in {@code store} (and checks the host name as always). */
  private static SSLContext trusting(KeyStoreFile store) throws IOException {
    try {
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store.load());
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, trust.getTrustManagers(), null);
      return tls;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot trust the certificates in " + store.path() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String name() {
    return from.url().toString();
  }

  @Override
  public String kind() {
    return "http";
  }

  @Override
  public Duration pollInterval() {
    return from.pollInterval();
  }

  @Override
  public Duration retryMax() {
    return from.retryMax();
  }

  @Override
  public void pass(Copy copy) throws IOException, InterruptedException {
    long next = copy.next();
    SegmentListing now = fetchListing(next);
    if (!historyChecked) {
      historyChecked = sameHistory(copy, next, now);
      if (!historyChecked) {
        return; // the server does not list the copy's newest segment yet: compare before taking more
      }
    }
    if (!now.entries().isEmpty() && now.entries().getFirst().number() > next) {
      throw new IOException(listingUri + ": segment " + next + " is not offered (the listing starts at segment "
          + now.entries().getFirst().number() + "; purged on the primary before this copy fetched it?)");
    }
    List<SegmentListing.Entry> run = new ArrayList<>();
    for (SegmentListing.Entry e : now.entries()) {
      if (e.number() == next + run.size()) {
        run.add(e);
      } else if (e.number() > next + run.size()) {
        break; // a gap in the listing: wait for the missing number
      }
    }
    Ahead ahead = null;
    try {
      for (int i = 0; i < run.size() && !copy.stopping(); i++) {
        SegmentListing.Entry e = run.get(i);
        byte[] bytes = ahead != null ? ahead.await() : download(e);
        ahead = null;
        if (i + 1 < run.size() && roomForTwo(e, run.get(i + 1))) {
          SegmentListing.Entry following = run.get(i + 1);
          ahead = new Ahead(() -> download(following)); // fetched and checked while this one is written
        }
        copy.offer(e.number(), e.records(), bytes);
        LOG.debug("[from {}] received {}", from.url(), e.name()); // the journal logs "ingested sealed segment …"
      }
    } finally {
      if (ahead != null) {
        ahead.cancel();
      }
    }
  }

  /**
   * Once per process, before anything new is taken: the newest sealed segment the copy holds must
   * be the server's segment of that number, byte for byte. It is not when the copy was fed by
   * another server before (re-pointed to a promoted node) and received more of the old primary's
   * history than that server holds: appending the server's next segment would join two histories,
   * so the copy refuses it ({@link dev.ferry.journal.IngestRefusedException} naming the segment, the
   * offset and the first GTID that differs). Costs one download of one segment per start.
   *
   * @return true when compared, or when it cannot be (the copy or the server no longer holds that
   *     segment); false while the server does not list it yet (it is behind this copy)
   */
  private boolean sameHistory(Copy copy, long next, SegmentListing now) throws IOException, InterruptedException {
    long newest = next - 1;
    if (newest < 1 || !copy.held().contains(newest)) {
      return true;
    }
    for (SegmentListing.Entry e : now.entries()) {
      if (e.number() == newest) {
        copy.checkHeld(newest, download(e));
        return true;
      }
    }
    boolean purgedThere = !now.entries().isEmpty() && now.entries().getFirst().number() > newest;
    if (!purgedThere && !toldWaiting) {
      toldWaiting = true;
      LOG.info("[from {}] the server does not list segment {} yet, the newest this copy holds: waiting for it to"
          + " compare before taking more", from.url(), newest);
    }
    return purgedThere;
  }

  /**
   * Whether the next segment may be downloaded while {@code current} is ingested: both (the next
   * one's body collected in parts and joined once) must fit three times into the heap, so a small
   * heap ({@code -Xmx256m} with 64 MiB segments) keeps fetching one at a time.
   */
  private static boolean roomForTwo(SegmentListing.Entry current, SegmentListing.Entry following) {
    return 3 * (current.size() + 2 * following.size()) <= Runtime.getRuntime().maxMemory();
  }

  /** A download of the next segment on its own virtual thread, while the current one is ingested. */
  private static final class Ahead {
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final Thread thread;

    Ahead(Download download) {
      thread = Thread.ofVirtual().name("ferry-http-fetch-ahead").start(() -> {
        try {
          result.complete(download.get());
        } catch (Throwable t) {
          result.completeExceptionally(t);
        }
      });
    }

    /** The checked bytes, or the download's failure as it would have been thrown in line. */
    byte[] await() throws IOException, InterruptedException {
      try {
        return result.get();
      } catch (ExecutionException e) {
        switch (e.getCause()) {
          case IOException io -> throw io;
          case InterruptedException ie -> throw ie;
          case RuntimeException re -> throw re;
          case Error error -> throw error;
          default -> throw new IOException(e.getCause());
        }
      }
    }

    /** Abandons the download (the pass ended): its thread is interrupted and its bytes dropped. */
    void cancel() {
      thread.interrupt();
    }
  }

  /** Downloads one segment. */
  @FunctionalInterface
  private interface Download {
    byte[] get() throws IOException, InterruptedException;
  }

  /** The listing; a named consumer also reports {@code next}, the first segment its copy lacks. */
  private SegmentListing fetchListing(long next) throws IOException, InterruptedException {
    HttpRequest.Builder request = request(listingUri);
    if (from.consumer().isPresent()) {
      request.header("Ferry-Consumer", from.consumer().get()).header("Ferry-Received", Long.toString(next));
    }
    if (listing.isPresent() && listingTag.isPresent()) {
      request.header("If-None-Match", listingTag.get());
    }
    HttpResponse<InputStream> response = send(request.build());
    try (InputStream body = StallGuard.watch(response.body(), stallTimeout, listingUri.toString())) {
      if (response.statusCode() == 304 && listing.isPresent()) {
        return listing.get();
      }
      expectOk(response, listingUri, body);
      byte[] text = BodyReader.read(body, listingUri.toString(), contentLength(response), OptionalLong.empty(),
          SegmentListing.MAX_BYTES);
      SegmentListing parsed = SegmentListing.parse(text, listingUri.toString());
      listing = Optional.of(parsed);
      listingTag = response.headers().firstValue("ETag");
      return parsed;
    }
  }

  /** The segment's bytes, checked against the listing's size and SHA-256. */
  private byte[] download(SegmentListing.Entry e) throws IOException, InterruptedException {
    URI uri = from.url().resolve(e.name());
    HttpResponse<InputStream> response = send(request(uri).build());
    byte[] bytes;
    try (InputStream body = StallGuard.watch(response.body(), stallTimeout, uri.toString())) {
      expectOk(response, uri, body);
      bytes = BodyReader.read(body, uri.toString(), contentLength(response), OptionalLong.of(e.size()),
          SegmentListing.MAX_SEGMENT_BYTES);
    }
    String sha = SegmentDigests.sha256(bytes);
    if (!sha.equals(e.sha256())) {
      throw new IOException(uri + ": SHA-256 " + sha + " but the listing says " + e.sha256()
          + " (corrupted in transit?); fetching it again");
    }
    return bytes;
  }

  private HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(from.timeout()).GET()
        .header("Accept-Encoding", "identity");
    from.token().ifPresent(t -> b.header("Authorization", t.header()));
    return b;
  }

  private HttpResponse<InputStream> send(HttpRequest request) throws IOException, InterruptedException {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      throw new IOException(request.uri() + ": no answer within " + from.timeout().toMillis()
          + " ms (journal.from.http.timeout): the server or the link is dead", e);
    } catch (ConnectException e) {
      // The JDK's client says nothing more than the class name when nothing listens.
      throw new IOException(request.uri() + ": cannot connect (" + (e.getMessage() == null
          ? "connection refused: nothing listens there, or the serving node is down" : e.getMessage()) + ")", e);
    } catch (IOException e) {
      throw new IOException(request.uri() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
    }
  }

  private void expectOk(HttpResponse<InputStream> response, URI uri, InputStream body) throws IOException {
    int status = response.statusCode();
    if (status == 200) {
      Optional<String> encoding = response.headers().firstValue("Content-Encoding");
      if (encoding.isPresent() && !encoding.get().equalsIgnoreCase("identity")) {
        throw new IOException(uri + ": the server sent Content-Encoding " + encoding.get()
            + " although identity was asked for");
      }
      return;
    }
    String why = switch (status) {
      case 401 -> from.token().isPresent() ? "the server refused the token (journal.from.http.token)"
          : "the server wants a token (journal.from.http.token)";
      case 403 -> "forbidden";
      case 400 -> "refused: " + reason(body, uri);
      case 404 -> "not found";
      case 301, 302, 303, 307, 308 -> "redirected to " + response.headers().firstValue("Location").orElse("?")
          + " (give that URL as journal.from.http.url)";
      default -> "the server answered " + status;
    };
    throw new IOException(uri + ": HTTP " + status + ": " + why);
  }

  /** The first line of a short plain-text error body (Ferry's server says why it refused). */
  private static String reason(InputStream body, URI uri) {
    byte[] text;
    try {
      text = BodyReader.read(body, uri.toString(), OptionalLong.empty(), OptionalLong.empty(), 4096);
    } catch (IOException e) {
      return "bad request";
    }
    String line = new String(text, java.nio.charset.StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
    return line.isEmpty() ? "bad request" : line;
  }

  private static OptionalLong contentLength(HttpResponse<?> response) throws IOException {
    Optional<String> v = response.headers().firstValue("Content-Length");
    if (v.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(v.get().strip()));
    } catch (NumberFormatException e) {
      throw new IOException(response.uri() + ": Content-Length '" + v.get() + "' is not a number");
    }
  }
}
