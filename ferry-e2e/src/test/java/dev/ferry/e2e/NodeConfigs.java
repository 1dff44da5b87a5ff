package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The pieces of {@code ferry.yaml} the failover tests build primaries and replica nodes from (a
 * PostgreSQL {@code items} table), and their waits and row helpers.
 */
final class NodeConfigs {
  /** Row count and digest of {@code items}: equal on two databases when their rows are. */
  static final String DIGEST = "SELECT count(*) || ':' || coalesce(md5(string_agg(id || '=' || v, ',' ORDER BY id)),"
      + " '') FROM items";

  private NodeConfigs() {
  }

  static String source(String name, String url, String more) {
    return "source:\n  name: " + name + "\n  url: " + url + "\n" + more;
  }

  /** A journal Ferry writes ({@code copy} false: small segments, sealed every second) or a copy, whose segments are the primary's. */
  static String journal(Path dir, boolean copy) {
    return "journal:\n  dir: " + dir + "\n" + (copy ? "" : "  segment-size: 64KiB\n  segment-age: 1s\n");
  }

  /** {@code journal.from} over HTTP from a node listening on {@code port}. */
  static String from(int port, String consumer) {
    return "  from:\n    http:\n      url: http://127.0.0.1:" + port + "/\n      consumer: " + consumer + "\n"
        + "      poll-interval: 200ms\n      retry-max: 1s\n";
  }

  /** {@code journal.serve.http} on {@code port}, keeping every segment until {@code consumers} fetched it. */
  static String serve(int port, String consumers) {
    return "  serve:\n    http:\n      listen: 127.0.0.1:" + port + "\n      consumers: [" + consumers + "]\n";
  }

  static String replica(String name, String url) {
    return "replicas:\n  - name: " + name + "\n    url: " + url + "\n";
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static void insert(String url, String tag, int rows) throws Exception {
    for (int i = 0; i < rows; i++) {
      Sql.execute(url, "INSERT INTO items (v) VALUES ('" + tag + "-" + i + "')");
    }
  }

  static long count(String url) throws Exception {
    return Long.parseLong(Sql.scalar(url, "SELECT count(*) FROM items"));
  }

  /** Waits up to 180 s for {@code condition}, failing with {@code what}. */
  static void await(String what, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (!condition.call()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(300);
    }
  }
}
