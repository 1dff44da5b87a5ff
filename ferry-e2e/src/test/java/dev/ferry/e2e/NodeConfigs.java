package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

  /**
   * The node's configuration with journal.from as {@code ferry failover} printed it (url and consumer), as the
   * docs say, written to {@code dir/<name>2.yaml}.
   */
  static Path repointAsPrinted(Path dir, String stdout, Path config, String name) throws Exception {
    Matcher m = Pattern.compile("re-point " + Pattern.quote(config.toString()) + ": set in [^\\n]*\\n  journal:\\n"
        + "    from:\\n      http:\\n        url: (\\S+)\\n        consumer: (\\S+)\\n").matcher(stdout);
    assertThat(m.find()).as("failover prints how %s re-points: %s", config, stdout).isTrue();
    String yaml = Files.readString(config);
    String repointed = yaml.replaceFirst("url: http://127\\.0\\.0\\.1:\\d+/\\n      consumer: \\S+",
        "url: " + m.group(1) + "\n      consumer: " + m.group(2));
    assertThat(repointed).isNotEqualTo(yaml);
    return Files.writeString(dir.resolve(name + "2.yaml"), repointed);
  }

  /**
   * Starts primary A ({@code ca}), writes a first row into its {@code items} at {@code a}, starts
   * replica nodes B ({@code cb}) and C ({@code cc}) and waits until their replicas stream; returns the
   * three {@code ferry run}s, logging into {@code a.log}, {@code b.log} and {@code c.log} in {@code dir}.
   */
  static Process[] startPrimaryAndTwoReplicaNodes(FerryCli cli, Path dir, Path ca, Path cb, Path cc, String a)
      throws Exception {
    Process pa = cli.start(dir.resolve("a.log"), "run", "-c", ca.toString());
    DirectoryTransportCrashTest.awaitSourceStreaming(cli, ca, pa);
    Sql.execute(a, "INSERT INTO items (v) VALUES ('first')");
    Process pb = cli.start(dir.resolve("b.log"), "run", "-c", cb.toString());
    Process pc = cli.start(dir.resolve("c.log"), "run", "-c", cc.toString());
    DirectoryTransportCrashTest.awaitReplicasStreaming(cli, cb, pb);
    DirectoryTransportCrashTest.awaitReplicasStreaming(cli, cc, pc);
    return new Process[] {pa, pb, pc};
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
