package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.WorkloadRunner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cascading over HTTP, as three {@code bin/ferry run} processes with their own directories: A
 * captures PostgreSQL and serves its journal; B pulls A's journal, applies it to a PostgreSQL
 * replica and serves its copy again; C pulls B's copy and applies it to a SQLite replica. Under a
 * write load B is killed with SIGKILL once; both replicas converge to the source. Then C is pointed
 * at A instead of B, with no re-snapshot (its copy has A's segments, positions and GTIDs), and keeps
 * up under more writes; every sealed segment of C's copy has the SHA-256 of A's.
 */
@Timeout(420)
class CascadingTest {
  @TempDir Path dir;

  @Test
  void aReplicaNodeServesItsCopyOnAndItsOwnReplicaNodeCanBeRepointedToThePrimary() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      int portA = freePort();
      int portB = freePort();
      String source = "source:\n  name: primary\n  url: " + t.primaryUrl + "\n  tables: { include: ['public\\..*'] }\n";
      Path aJournal = dir.resolve("a/journal");
      Path cCopy = dir.resolve("c/journal");
      Path a = write("a", source + "journal:\n  dir: " + aJournal + "\n  segment-size: 16KiB\n  segment-age: 1s\n"
          + "  serve:\n    http:\n      listen: 127.0.0.1:" + portA + "\n      consumers: [b, c]\n");
      Path b = write("b", source + "journal:\n  dir: " + dir.resolve("b/journal") + "\n  from:\n    http:\n"
          + "      url: http://127.0.0.1:" + portA + "/\n      consumer: b\n      poll-interval: 200ms\n"
          + "      retry-max: 1s\n  serve:\n    http:\n      listen: 127.0.0.1:" + portB + "\n      consumers: [c]\n"
          + "replicas:\n  - name: pg\n    url: " + t.pgReplicaUrl + "\n");
      int portC = freePort(); // C's metrics: its link and replica
      String cFrom = "      consumer: c\n      poll-interval: 200ms\n      retry-max: 1s\nreplicas:\n  - name: lite\n"
          + "    url: " + t.liteReplica.jdbcUrl() + "\nhttp:\n  listen: 127.0.0.1:" + portC + "\n";
      Path c = write("c", source + "journal:\n  dir: " + cCopy + "\n  from:\n    http:\n      url: http://127.0.0.1:"
          + portB + "/\n" + cFrom);
      Process pa = cli.start(dir.resolve("a.log"), "run", "-c", a.toString());
      DirectoryTransportCrashTest.awaitSourceStreaming(cli, a, pa);
      t.load();
      Process pb = cli.start(dir.resolve("b.log"), "run", "-c", b.toString());
      DirectoryTransportCrashTest.awaitReplicasStreaming(cli, b, pb);
      Process pc = cli.start(dir.resolve("c.log"), "run", "-c", c.toString());
      DirectoryTransportCrashTest.awaitReplicasStreaming(cli, c, pc);
      long seededBefore;
      try (WorkloadRunner workload = t.workload(3)) {
        workload.awaitCommitted(workload.committed() + 150, Duration.ofSeconds(60));
        FerryCli.kill9(pb);
        pb = cli.start(dir.resolve("b.log"), "run", "-c", b.toString());
        workload.awaitCommitted(workload.committed() + 150, Duration.ofSeconds(60));
        // Re-point C at A under the load: its copy goes on from its own end, no re-snapshot.
        assertThat(FerryCli.terminate(pc, Duration.ofSeconds(60))).isZero();
        seededBefore = seedings(dir.resolve("c.log"));
        Files.writeString(c, source + "journal:\n  dir: " + cCopy + "\n  from:\n    http:\n      url: http://127.0.0.1:"
            + portA + "/\n" + cFrom);
        pc = cli.start(dir.resolve("c.log"), "run", "-c", c.toString());
        workload.awaitCommitted(workload.committed() + 150, Duration.ofSeconds(60));
        workload.stop();
      }
      assertThat(t.awaitEqual(Duration.ofSeconds(180))).as("differences; c log: %s", read(dir.resolve("c.log")))
          .isEmpty();
      assertThat(seedings(dir.resolve("c.log"))).as("no re-snapshot after re-pointing").isEqualTo(seededBefore);
      List<Path> sealed = DirectoryTransportCrashTest.sealed(cCopy);
      assertThat(sealed).as("sealed segments in C's copy").isNotEmpty();
      for (Path s : sealed) {
        // C's copy purges what lite applied, A's journal what b and c have, both meanwhile: a segment gone from
        // either since the listing is not compared, as one A had purged already was not.
        Optional<String> inA = DirectoryTransportCrashTest.sha256IfPresent(aJournal.resolve(s.getFileName()));
        Optional<String> inC = DirectoryTransportCrashTest.sha256IfPresent(s);
        if (inA.isPresent() && inC.isPresent()) {
          assertThat(inC.get()).as("SHA-256 of %s", s.getFileName()).isEqualTo(inA.get());
        }
      }
      // C's /metrics: its link from A (re-pointed) delivered segments and waits for the next; its replica's counters.
      // Metrics are read live from the link and the replica, which may be between two polls: scrape until they agree.
      Await.untilAsserted(Duration.ofSeconds(30), () -> {
        Map<String, Double> m = new NodeHttp(portC, Optional.empty()).metrics();
        String link = "link=\"http://127.0.0.1:" + portA + "/\"";
        assertThat(m).as("C's metrics").hasEntrySatisfying(key(m, "ferry_link_segments_total{", link),
            v -> assertThat(v).isPositive());
        assertThat(m.get(key(m, "ferry_link_bytes_total{", link))).as("bytes of the segments received")
            .isGreaterThanOrEqualTo(m.get(key(m, "ferry_link_segments_total{", link)) * 16);
        assertThat(m.get(key(m, "ferry_link_reconnects_total{", link))).isNotNegative();
        assertThat(m.get(key(m, "ferry_link_state{", link, "state=\"waiting\""))).isEqualTo(1.0);
        assertThat(m.get(key(m, "ferry_link_state{", link, "state=\"refused\""))).isZero();
        assertThat(m.get("ferry_replica_transactions_total{replica=\"lite\"}")).isPositive();
      });
      for (Process p : List.of(pc, pb, pa)) {
        assertThat(FerryCli.terminate(p, Duration.ofSeconds(60))).isZero();
      }
    }
  }

  /** The one series name in {@code m} that starts with {@code prefix} and holds every label in {@code labels}. */
  private static String key(Map<String, Double> m, String prefix, String... labels) {
    List<String> found = m.keySet().stream().filter(k -> k.startsWith(prefix))
        .filter(k -> java.util.Arrays.stream(labels).allMatch(k::contains)).toList();
    assertThat(found).as("series %s with %s among %s", prefix, List.of(labels), m.keySet()).hasSize(1);
    return found.getFirst();
  }

  private Path write(String node, String yaml) throws IOException {
    Files.createDirectories(dir.resolve(node));
    return Files.writeString(dir.resolve(node + ".yaml"), yaml);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static long seedings(Path log) {
    return read(log).lines().filter(l -> l.contains("seeding from source")).count();
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(none)";
    }
  }
}
