package dev.ferry.transport.http;

import dev.ferry.journal.model.Side;
import dev.ferry.transport.KeyStoreFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's one HTTP server. It serves a journal's sealed segments read-only ({@code
 * journal.serve.http}), the MusicBrainz way: numbered, immutable files any mirror or cache can
 * hold, and a listing ({@link SegmentHandler} says what is answered); and beside them the handlers
 * the node mounts on their own paths (the admin API, {@code /metrics}). One token and one key
 * store protect all of it. Built on Jetty's core server (no servlets), the one HTTP server library
 * of the project. It serves the segments the journal holds at the time of each request; it never
 * writes to the journal.
 *
 * <p>Thread-safe; {@link #close()} from any thread.
 */
public final class SegmentServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentServer.class);
  private static final int MAX_THREADS = 16;
  private final Server server;
  private final ServerConnector connector;
  private final String name;

  private SegmentServer(Server server, ServerConnector connector, String name) {
    this.server = server;
    this.connector = connector;
    this.name = name;
  }

  /**
   * Starts serving the journal in {@code journalDir}, and nothing else.
   *
   * @throws IOException if the address cannot be listened on (in use, not this machine's)
   */
  public static SegmentServer start(Path journalDir, HttpServeConfig config) throws IOException {
    return start(config, Optional.of(journalDir), Map.of(), Set.of(), Side.journal(journalDir).toString());
  }

  /**
   * Starts a node's server: {@code mounts} on their paths (a path ending in {@code /} takes every
   * path under it, any other only itself; a handler returning false answers 404), and every other
   * path from the sealed segments of {@code journalDir}, if given. The token guards every path but
   * those in {@code open} (mounted paths that hold no data, such as a page that asks for the token).
   *
   * @param name how log lines name the server, e.g. {@code [node primary]}
   * @throws IOException if the address cannot be listened on (in use, not this machine's)
   */
  public static SegmentServer start(HttpServeConfig config, Optional<Path> journalDir, Map<String, Handler> mounts,
      Set<String> open, String name) throws IOException {
    QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2);
    threads.setName("ferry-http");
    threads.setDaemon(true);
    Server server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    ServerConnector connector = connector(server, http, config);
    connector.setHost(config.host());
    connector.setPort(config.port());
    server.addConnector(connector);
    server.setHandler(new BearerGate(config.token(), mounts,
        journalDir.map(d -> new SegmentHandler(d, config.consumers())), open));
    server.setErrorHandler(SegmentServer::emptyError);
    server.setStopTimeout(2_000);
    try {
      server.start();
    } catch (Exception e) {
      stopQuietly(server);
      throw new IOException(name + " cannot serve over HTTP on " + config.listen() + ": "
          + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
    }
    SegmentServer s = new SegmentServer(server, connector, name);
    List<String> what = new ArrayList<>(new TreeSet<>(mounts.keySet()));
    journalDir.ifPresent(d -> what.add("sealed segments of " + d));
    LOG.info("{} serving {} on {}://{}/ ({})", name, String.join(", ", what), config.scheme(), s.address(),
        config.token().isPresent() ? "bearer token required" : "no token");
    return s;
  }

  /**
   * Plain HTTP, or HTTPS only when a key store is configured (loaded here, so a bad one fails the
   * start with its path named).
   */
  private static ServerConnector connector(Server server, HttpConfiguration http, HttpServeConfig config)
      throws IOException {
    if (config.keyStore().isEmpty()) {
      return new ServerConnector(server, new HttpConnectionFactory(http));
    }
    KeyStoreFile store = config.keyStore().get();
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStore(store.load());
    tls.setKeyStorePassword(store.password());
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    secure.setSniHostCheck(false); // replicas may connect by IP address
    http.addCustomizer(secure);
    return new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(http));
  }

  /** The address listened on, {@code host:port}, with the port bound (also when 0 was asked for). */
  public String address() {
    String host = connector.getHost();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + connector.getLocalPort();
  }

  /** The port listened on. */
  public int port() {
    return connector.getLocalPort();
  }

  /** Stops listening; requests in progress get up to two seconds. */
  @Override
  public void close() {
    stopQuietly(server);
    LOG.info("{} stopped serving over HTTP", name);
  }

  /** Errors Jetty answers itself (a malformed or ambiguous request): the status and an empty body, no page. */
  private static boolean emptyError(Request request, Response response, Callback callback) {
    Object status = request.getAttribute(ErrorHandler.ERROR_STATUS);
    response.setStatus(status instanceof Integer code ? code : 500);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
    response.write(true, ByteBuffer.allocate(0), callback);
    return true;
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("stopping the HTTP server: {}", e.toString());
    }
  }
}
