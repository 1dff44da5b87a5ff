package dev.ferry.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * What starting any throwaway database server takes, whatever the database: a free loopback port
 * to give it, and a wait until it accepts connections (or its process has died).
 */
final class ServerStart {
  /** Opens a connection to the server being started. */
  @FunctionalInterface
  interface Connector {
    Connection connect() throws SQLException;
  }

  private ServerStart() {
  }

  /** A port free on 127.0.0.1 now; another process may still take it before the server binds. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Returns once {@code connector} connects; fails naming {@code database} and {@code port} when
   * {@code limit} passes first or when {@code process} (the server's, when this JVM started it
   * directly) has exited.
   */
  static void awaitAccepting(String database, int port, Duration limit, Optional<Process> process,
      Connector connector) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      if (process.isPresent() && !process.get().isAlive()) {
        throw new IOException(database + " on port " + port + " exited with code " + process.get().exitValue());
      }
      try (Connection c = connector.connect()) {
        return;
      } catch (SQLException e) {
        if (System.nanoTime() > deadline) {
          throw new IOException(database + " at 127.0.0.1:" + port + " did not accept connections: "
              + e.getMessage(), e);
        }
        Thread.sleep(50);
      }
    }
  }
}
