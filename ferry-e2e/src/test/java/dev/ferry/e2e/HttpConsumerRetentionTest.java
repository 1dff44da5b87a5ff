package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A primary that applies a local replica purges the segments that replica applied; a replica node
 * pulling over HTTP lives on another machine and is down. Because the primary lists it
 * ({@code journal.serve.http.consumers: [east]}) and it names itself ({@code journal.from.http.consumer:
 * east}), the primary keeps every segment it has not fetched — from before it first connected, and
 * while it is killed — and the node catches up with nothing lost, reporting its progress so the
 * primary may purge what it has. Without the consumer the node would find its next segment purged.
 */
@Timeout(300)
class HttpConsumerRetentionTest {
  @TempDir Path dir;

  @Test
  void aListedReplicaNodeThatIsDownFindsEverySegmentItLacksStillOnThePrimary() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Path primaryJournal = dir.resolve("primary/journal");
      Path copy = dir.resolve("east/journal");
      Files.createDirectories(primaryJournal.getParent());
      Files.createDirectories(copy.getParent());
      int port = freePort();
      Path primaryConfig = Files.writeString(dir.resolve("primary.yaml"), "source:\n  name: primary\n  url: "
          + t.primaryUrl + "\n  tables: { include: ['public\\..*'] }\njournal:\n  dir: " + primaryJournal
          + "\n  segment-size: 16KiB\n  segment-age: 1s\n  serve:\n    http:\n      listen: 127.0.0.1:" + port
          + "\n      consumers: [east]\nreplicas:\n  - name: lite\n    url: " + t.liteReplica.jdbcUrl() + "\n");
      Path eastConfig = Files.writeString(dir.resolve("east.yaml"), "source:\n  name: primary\n  url: "
          + t.primaryUrl + "\n  tables: { include: ['public\\..*'] }\njournal:\n  dir: " + copy
          + "\n  from:\n    http:\n      url: http://127.0.0.1:" + port + "/\n      consumer: east"
          + "\n      poll-interval: 200ms\n      retry-max: 1s\nreplicas:\n  - name: pg\n    url: "
          + t.pgReplicaUrl + "\n");
      Path primaryLog = dir.resolve("primary.log");
      Path eastLog = dir.resolve("east.log");
      Process primary = cli.start(primaryLog, "run", "-c", primaryConfig.toString());
      DirectoryTransportCrashTest.awaitReplicasStreaming(cli, primaryConfig, primary);
      phase("primary streaming");
      // The bank's rows and some transfers fill several sealed 16 KiB segments, which the primary's
      // own replica applies and acknowledges. East has not connected yet: segment 1 stays.
      t.load();
      transferUntilSealedThrough(t, primaryJournal, 3);
      assertThat(t.awaitEqual(Duration.ofSeconds(120), false, true)).as("lite caught up").isEmpty();
      assertThat(firstSealed(primaryJournal)).as("the first segment is kept for east").isEqualTo(1);
      phase("segment 1 kept");

      Process east = cli.start(eastLog, "run", "-c", eastConfig.toString());
      DirectoryTransportCrashTest.awaitReplicasStreaming(cli, eastConfig, east);
      phase("east streaming");
      t.transfers(50);
      // East reports where its copy ends with its next request: wait for a report past segment 1.
      long lacks = Await.until("east reporting progress", Duration.ofSeconds(60),
          () -> Files.exists(primaryJournal.resolve("consumers/http.east.pos")) ? reportedNext(primaryJournal) : 0,
          next -> next > 1);
      FerryCli.kill9(east);
      // The primary's status names what holds its segments: east among its consumers, where it stopped.
      // The status file is written about once a second: wait for one written after east's last report.
      // East's position is read again on each try: a request east sent just before the kill may still be
      // handled by the primary after kill9 returned, and report more.
      Await.untilAsserted(Duration.ofSeconds(30), () -> {
        String eastAt = Files.readString(primaryJournal.resolve("consumers/http.east.pos")).strip();
        String lacksAt = "consumers .*http\\.east at " + reportedNext(primaryJournal) + ":";
        JsonNode consumers = Status.of(cli, primaryConfig).path("journal").path("consumers");
        assertThat(consumers.values()).as("consumers: %s", consumers).anySatisfy(c -> {
          assertThat(c.path("name").asString()).isEqualTo("http.east");
          assertThat(eastAt).startsWith(c.path("position").asString());
        });
        assertThat(cli.run(Duration.ofSeconds(60), "status", "-c", primaryConfig.toString()).stdout())
            .containsPattern(lacksAt);
      });
      lacks = reportedNext(primaryJournal);
      // While east is down the primary seals several more segments and its own replica applies them.
      long sealedAtKill = lastSealed(primaryJournal);
      transferUntilSealedThrough(t, primaryJournal, sealedAtKill + 3);
      assertThat(t.awaitEqual(Duration.ofSeconds(120), false, true)).as("lite caught up").isEmpty();
      phase("sealed while east is down");
      assertThat(firstSealed(primaryJournal)).as("segment %d, the first east lacks, is kept", lacks)
          .isLessThanOrEqualTo(lacks);

      east = cli.start(eastLog, "run", "-c", eastConfig.toString());
      assertThat(t.awaitEqual(Duration.ofSeconds(120))).as("differences; east log: %s", read(eastLog)).isEmpty();
      phase("equal");
      assertThat(read(eastLog)).doesNotContain("not offered");
      assertThat(FerryCli.terminate(east, Duration.ofSeconds(60))).isZero();
      assertThat(reportedNext(primaryJournal)).as("east's reported position after catching up")
          .isGreaterThan(firstSealed(primaryJournal));
      assertThat(FerryCli.terminate(primary, Duration.ofSeconds(60))).isZero();
    }
  }

  /** The first segment east's copy lacks, as the primary recorded it (consumers/http.east.pos). */
  private static long reportedNext(Path journal) throws IOException {
    String line = Files.readString(journal.resolve("consumers/http.east.pos")).strip();
    return Long.parseLong(line.substring(0, line.indexOf(':')));
  }

  private static long lastSealed(Path journal) throws IOException {
    List<Path> sealed = DirectoryTransportCrashTest.sealed(journal);
    if (sealed.isEmpty()) {
      return 0;
    }
    String name = sealed.getLast().getFileName().toString();
    return Long.parseLong(name.substring(0, name.indexOf('-')));
  }

  private static long firstSealed(Path journal) throws IOException {
    String name = DirectoryTransportCrashTest.sealed(journal).getFirst().getFileName().toString();
    return Long.parseLong(name.substring(0, name.indexOf('-')));
  }

  private static void phase(String what) {
    System.out.println(java.time.Instant.now() + " " + what);
  }

  /**
   * Commits transfers until segment {@code number} is sealed: how many fill a segment depends on the
   * rows' sizes and on how many segments the 1 s segment age seals, so no fixed count is assumed.
   */
  private static void transferUntilSealedThrough(Topology t, Path journal, long number) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (lastSealed(journal) < number) {
      assertThat(System.nanoTime()).as("segment %d sealed in %s; the last: %d", number, journal, lastSealed(journal))
          .isLessThan(deadline);
      t.transfers(50);
      Thread.sleep(200);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(none)";
    }
  }
}
