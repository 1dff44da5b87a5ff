package dev.ferry.transport.http;

import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.model.Side;
import dev.ferry.transport.SegmentDigests;
import dev.ferry.transport.SegmentListing;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the read-only journal requests: {@code GET|HEAD /segments.list} (the
 * {@link SegmentListing} of the sealed segments the journal holds now; revalidated by {@code ETag})
 * and {@code GET|HEAD /<sealed segment file>} (its bytes, immutable: {@code ETag} is its SHA-256,
 * {@code Cache-Control: immutable}, single {@code Range} requests, {@code If-None-Match}, {@code
 * If-Range}). The server's {@link BearerGate} has checked the token before. Any other path is 404,
 * any other method 405: nothing can be written. Thread-safe.
 */
final class SegmentHandler extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentHandler.class);
  private static final String IMMUTABLE = "public, max-age=31536000, immutable";
  private final Path dir;
  private final SegmentDigests digests = new SegmentDigests();
  private final RemoteConsumers consumers;

  SegmentHandler(Path journalDir, List<String> consumers) {
    this.dir = journalDir;
    this.consumers = new RemoteConsumers(journalDir, consumers);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    try {
      String method = request.getMethod();
      boolean head = method.equals("HEAD");
      if (!head && !method.equals("GET")) {
        response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
        // The body of a refused write is not read: say the connection closes, or a client reusing it
        // sends its next request into a connection the server drops (seen as "received no bytes").
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        empty(response, 405, callback);
        return true;
      }
      String path = request.getHttpURI().getPath();
      String name = path == null || !path.startsWith("/") ? "" : path.substring(1);
      if (name.equals(SegmentListing.FILE_NAME)) {
        listing(request, response, head, callback);
      } else if (isSegmentName(name)) {
        segment(request, response, name, head, callback);
      } else {
        empty(response, 404, callback);
      }
    } catch (NoSuchFileException e) {
      empty(response, 404, callback);
    } catch (IOException | RuntimeException e) {
      LOG.warn("{} [http] {} {} failed: {}", Side.journal(dir), request.getMethod(), request.getHttpURI().getPath(),
          e.toString());
      if (!response.isCommitted()) {
        empty(response, 500, callback);
      } else {
        callback.failed(e);
      }
    }
    return true;
  }

  private static boolean isSegmentName(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= '0' && c <= '9' || c == '-' || c == '.' || c >= 'a' && c <= 'z')) {
        return false;
      }
    }
    return !name.isEmpty() && SegmentFiles.isSealedSegment(Path.of(name));
  }

  private void listing(Request request, Response response, boolean head, Callback callback) throws IOException {
    SegmentListing now = digests.listing(dir, JournalInspector.journalId(dir));
    long nextSealed = 1 + (now.entries().isEmpty() ? JournalInspector.purgedThrough(dir)
        : now.entries().getLast().number());
    Optional<String> refused = consumers.report(Optional.ofNullable(request.getHeaders().get(RemoteConsumers.CONSUMER)),
        Optional.ofNullable(request.getHeaders().get(RemoteConsumers.RECEIVED)), nextSealed);
    if (refused.isPresent()) {
      text(response, 400, refused.get(), callback);
      return;
    }
    byte[] body = now.encode();
    String etag = "\"" + SegmentDigests.sha256(body).substring(0, 32) + "\"";
    response.getHeaders().put(HttpHeader.ETAG, etag);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    if (matches(request.getHeaders().getValuesList(HttpHeader.IF_NONE_MATCH), etag)) {
      empty(response, 304, callback);
      return;
    }
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=us-ascii");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
  }

  private void segment(Request request, Response response, String name, boolean head, Callback callback)
      throws IOException {
    Path file = dir.resolve(name);
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = in.size();
      String etag = "\"" + digests.sha256(file, size) + "\"";
      response.getHeaders().put(HttpHeader.ETAG, etag);
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, IMMUTABLE);
      response.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
      if (matches(request.getHeaders().getValuesList(HttpHeader.IF_NONE_MATCH), etag)) {
        empty(response, 304, callback);
        return;
      }
      String ifRange = request.getHeaders().get(HttpHeader.IF_RANGE);
      Optional<String> range = ifRange == null || ifRange.strip().equals(etag)
          ? Optional.ofNullable(request.getHeaders().get(HttpHeader.RANGE)) : Optional.empty();
      ByteRange sent = new ByteRange(0, size - 1);
      switch (ByteRange.of(range, size)) {
        case ByteRange.Unsatisfiable u -> {
          response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes */" + size);
          empty(response, 416, callback);
          return;
        }
        case ByteRange.Part p -> {
          sent = p.range();
          response.setStatus(206);
          response.getHeaders().put(HttpHeader.CONTENT_RANGE, sent.contentRange(size));
        }
        case ByteRange.Whole w -> response.setStatus(200);
      }
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, sent.length());
      if (head) {
        response.write(true, ByteBuffer.allocate(0), callback);
        return;
      }
      try (OutputStream out = Content.Sink.asOutputStream(response)) {
        long copied = 0;
        var target = Channels.newChannel(out);
        while (copied < sent.length()) {
          long n = in.transferTo(sent.first() + copied, sent.length() - copied, target);
          if (n <= 0) {
            throw new IOException(file + " ended at " + (sent.first() + copied) + " of " + size + " bytes");
          }
          copied += n;
        }
      }
      callback.succeeded();
    }
  }

  /** Whether an {@code If-None-Match} header names {@code etag} (or is {@code *}). */
  private static boolean matches(List<String> ifNoneMatch, String etag) {
    for (String value : ifNoneMatch) {
      for (String tag : value.split(",")) {
        String t = tag.strip();
        if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
          return true;
        }
      }
    }
    return false;
  }

  private static void text(Response response, int status, String message, Callback callback) {
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  static void empty(Response response, int status, Callback callback) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
    response.write(true, ByteBuffer.allocate(0), callback);
  }
}
