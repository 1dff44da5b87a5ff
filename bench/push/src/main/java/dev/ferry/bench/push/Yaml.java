package dev.ferry.bench.push;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** The ferry.yaml files of the bench's nodes. Stateless. */
final class Yaml {
  static final String SECRET = "push-bench-secret-5e1f";

  private Yaml() {
  }

  /**
   * A primary node: captures {@code source} (tables matching {@code tables}) into {@code journal},
   * pushes to replica node {@code b} on 127.0.0.1:{@code port} ({@code sync: LEVEL} when given) and
   * applies to {@code replicas} (name → JDBC URL) itself.
   */
  static Path primary(Path file, String source, String url, String tables, Path journal, int port,
      Optional<String> sync, Map<String, String> replicas) throws IOException {
    StringBuilder y = new StringBuilder(source(source, url, tables)).append("journal:\n  dir: ").append(journal)
        .append("\n  push:\n    - name: b\n      to: 127.0.0.1:").append(port).append("\n      secret: ")
        .append(SECRET).append('\n');
    sync.ifPresent(level -> y.append("      sync: ").append(level).append("\n      sync-timeout: 10s\n"));
    return Files.writeString(file, y.append(replicas(replicas)).toString());
  }

  /** A replica node: its journal copy in {@code copy}, fed by push on 127.0.0.1:{@code port}; applies to {@code replicas}. */
  static Path replicaNode(Path file, String source, String url, String tables, Path copy, int port,
      Map<String, String> replicas) throws IOException {
    return Files.writeString(file, source(source, url, tables) + "journal:\n  dir: " + copy
        + "\n  from:\n    listen:\n      address: 127.0.0.1:" + port + "\n      secret: " + SECRET + "\n"
        + replicas(replicas));
  }

  private static String source(String name, String url, String tables) {
    return "source:\n  name: " + name + "\n  url: " + url + "\n  tables: { include: ['" + tables + "'] }\n";
  }

  private static String replicas(Map<String, String> replicas) {
    if (replicas.isEmpty()) {
      return "";
    }
    StringBuilder y = new StringBuilder("replicas:\n");
    replicas.forEach((name, url) -> y.append("  - name: ").append(name).append("\n    url: ").append(url).append('\n'));
    return y.toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
