package dev.ferry.transport.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain static file server for tests (the JDK's, no Ferry): serves a directory by file name,
 * remembers the paths asked for, and can flip a byte of the next few files it sends (a transfer
 * corrupted in flight).
 */
final class FileServer implements AutoCloseable {
  private final HttpServer server;
  private final Path dir;
  final List<String> asked = new CopyOnWriteArrayList<>();
  final AtomicInteger corruptNext = new AtomicInteger();

  FileServer(Path dir) throws IOException {
    this.dir = dir;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::serve);
    server.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/journal/");
  }

  private void serve(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    asked.add(path);
    Path file = path.startsWith("/journal/") ? dir.resolve(path.substring("/journal/".length())) : null;
    if (file == null || !Files.isRegularFile(file)) {
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
      return;
    }
    byte[] bytes = Files.readAllBytes(file);
    if (path.endsWith(".seg") && corruptNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      bytes[bytes.length / 2] ^= 0x20;
    }
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  long segmentRequests() {
    return asked.stream().filter(p -> p.endsWith(".seg")).count();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
