package dev.ferry.transport.http;

import dev.ferry.transport.BearerToken;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The front of a node's HTTP server: with a token configured, a request without {@code
 * Authorization: Bearer <token>} gets 401 and an empty body before anything else is looked at
 * (the token is compared in constant time), except on the open paths (a static page that holds no
 * data and asks for the token itself); then the request goes to the handler mounted on its path,
 * else to the journal's segments, else 404. Thread-safe.
 */
final class BearerGate extends Handler.AbstractContainer {
  private final Optional<byte[]> expected;
  private final Map<String, Handler> mounts;
  private final Optional<Handler> segments;
  private final Set<String> open;

  /**
   * @param mounts handlers by path: a path ending in {@code /} takes every path under it, any
   *     other only itself
   * @param segments the journal's segments, answering every other path, if served
   * @param open mounted paths answered without the token
   */
  BearerGate(Optional<BearerToken> token, Map<String, Handler> mounts, Optional<Handler> segments, Set<String> open) {
    if (!mounts.keySet().containsAll(open)) {
      throw new IllegalArgumentException("open paths " + open + " are not all mounted: " + mounts.keySet());
    }
    this.open = Set.copyOf(open);
    this.expected = token.map(t -> t.header().getBytes(StandardCharsets.US_ASCII));
    this.mounts = Map.copyOf(mounts);
    this.segments = segments;
    getHandlers().forEach(this::addBean);
  }

  @Override
  public List<Handler> getHandlers() {
    List<Handler> all = new ArrayList<>(mounts.values());
    segments.ifPresent(all::add);
    return all;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = request.getHttpURI().getPath();
    if (!open.contains(path) && !authorized(request)) {
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      SegmentHandler.empty(response, 401, callback);
      return true;
    }
    Optional<Handler> target = route(path == null ? "" : path);
    if (target.isEmpty() || !target.get().handle(request, response, callback)) {
      SegmentHandler.empty(response, 404, callback);
    }
    return true;
  }

  private Optional<Handler> route(String path) {
    Handler exact = mounts.get(path);
    if (exact != null) {
      return Optional.of(exact);
    }
    for (Map.Entry<String, Handler> m : mounts.entrySet()) {
      if (m.getKey().endsWith("/") && m.getKey().length() > 1 && path.startsWith(m.getKey())) {
        return Optional.of(m.getValue());
      }
    }
    return segments;
  }

  private boolean authorized(Request request) {
    if (expected.isEmpty()) {
      return true;
    }
    String given = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.US_ASCII), expected.get());
  }
}
