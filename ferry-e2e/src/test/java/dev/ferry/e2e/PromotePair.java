package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The two nodes of a promote test: A captures {@code source} (a table {@code items} with an
 * auto-increment {@code id} and a {@code v} text) and serves its journal over HTTP to replica node
 * B, whose one replica applies it to {@code target}; their configurations in {@code a.yaml} and
 * {@code b.yaml}, their logs in {@code a.log} and {@code b.log}.
 */
record PromotePair(Path dir, Path a, Path b, String source, String target) {
  /** Writes both configurations; {@code replica} is B's replica entry after {@code name:} and {@code url:}. */
  static PromotePair write(Path dir, String source, String target, String replica) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String head = "source:\n  name: primary\n  url: " + source + "\n";
    Path a = Files.writeString(dir.resolve("a.yaml"), head + "journal:\n  dir: " + dir.resolve("a-journal")
        + "\n  segment-size: 64KiB\n  segment-age: 1s\n  serve:\n    http:\n      listen: 127.0.0.1:" + port
        + "\n      consumers: [b]\n");
    Path b = Files.writeString(dir.resolve("b.yaml"), head + "journal:\n  dir: " + dir.resolve("b-journal")
        + "\n  from:\n    http:\n      url: http://127.0.0.1:" + port + "/\n      consumer: b\n"
        + "      poll-interval: 200ms\n      retry-max: 1s\nreplicas:\n  - name: " + replica + "\n    url: " + target
        + "\n");
    return new PromotePair(dir, a, b, source, target);
  }

  /**
   * Starts A, inserts a first row, starts B (its replica streaming), inserts 30 more rows on A and
   * waits until B's target holds all 31; returns A's and B's {@code ferry run}.
   */
  Process[] startAndReplicate(FerryCli cli) throws Exception {
    Process pa = cli.start(dir.resolve("a.log"), "run", "-c", a.toString());
    DirectoryTransportCrashTest.awaitSourceStreaming(cli, a, pa);
    Sql.execute(source, "INSERT INTO items (v) VALUES ('first')");
    Process pb = cli.start(dir.resolve("b.log"), "run", "-c", b.toString());
    DirectoryTransportCrashTest.awaitReplicasStreaming(cli, b, pb);
    for (int i = 0; i < 30; i++) {
      Sql.execute(source, "INSERT INTO items (v) VALUES ('row " + i + "')");
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!"31".equals(Sql.scalar(target, "SELECT count(*) FROM items"))) {
      assertThat(System.nanoTime()).as("B applies A's 31 rows; log: %s", Files.readString(dir.resolve("b.log")))
          .isLessThan(deadline);
      Thread.sleep(200);
    }
    return new Process[] {pa, pb};
  }
}
