package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.WorkloadRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A replica node fed by {@code journal.from.directory}, with the test as the file transfer: it
 * copies the primary's archived segments into the incoming directory out of order and more than
 * once — segment N+1 before N, the same segment twice, an old segment again after newer ones were
 * taken, the rest in reverse. Two {@code bin/ferry run} processes, PostgreSQL to PostgreSQL, under
 * a write load. The link waits for the missing number and says so, nothing is refused, and the
 * replica ends equal to the source with every GTID applied once (one range, no hole) and the copy's
 * sealed segments byte-identical to the primary's.
 */
@Timeout(300)
class DirectoryRedeliveryTest {
  @TempDir Path dir;

  @Test
  void segmentsDeliveredTwiceOutOfOrderAndLateAreEachAppliedOnceInOrder() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Path archive = dir.resolve("archive");
      Path incoming = Files.createDirectories(dir.resolve("incoming"));
      Path copy = dir.resolve("replica/journal");
      Files.createDirectories(dir.resolve("primary"));
      Files.createDirectories(copy.getParent());
      String source = "source:\n  name: primary\n  url: " + t.primaryUrl + "\n  tables: { include: ['public\\..*'] }\n";
      Path primaryConfig = Files.writeString(dir.resolve("primary.yaml"), source + "journal:\n  dir: "
          + dir.resolve("primary/journal") + "\n  segment-size: 64KiB\n  segment-age: 1s\n  archive:\n    dir: "
          + archive + "\n");
      Path replicaConfig = Files.writeString(dir.resolve("replica.yaml"), source + "journal:\n  dir: " + copy
          + "\n  from:\n    directory: " + incoming + "\n    poll-interval: 200ms\nreplicas:\n  - name: pg\n    url: "
          + t.pgReplicaUrl + "\n");
      NodePair nodes = new NodePair(cli, dir, primaryConfig, replicaConfig);
      nodes.startPrimary();
      t.load();
      // In order while the replica node starts: its replica is seeded and hands over at a marker
      // the primary journals after the snapshot.
      Thread courier = Thread.ofVirtual().start(() -> deliverAllInOrder(archive, incoming));
      nodes.startReplica();
      courier.interrupt();
      courier.join();
      // Counted in the listing delivered: a segment sealed after it (the age seals the open one) is not there.
      long before = deliverAll(archive, incoming);

      try (WorkloadRunner load = t.workload(21)) {
        load.awaitCommitted(load.committed() + 800, Duration.ofSeconds(90));
        // 800 transactions fill six 64 KiB segments on most machines, not on every one: load on until they are there.
        awaitArchivedAtLeast(archive, before + 6);
        load.stop();
      }
      List<Path> fresh = DirectoryTransportCrashTest.sealed(archive).subList((int) before, (int) before + 6);
      long n = number(fresh.get(0));
      deliver(fresh.get(1), incoming); // N+1 before N
      JsonNode waiting = awaitWaitingFor(cli, replicaConfig, n);
      assertThat(waiting.path("lastError").isNull()).as("waiting is no error: %s", waiting).isTrue();
      Thread.sleep(1000); // several scans with N+1 there: still waiting for N
      assertThat(Status.of(cli, replicaConfig).path("links").path(0).path("waitingFor").asLong()).isEqualTo(n);
      deliver(fresh.get(0), incoming);
      awaitWaitingFor(cli, replicaConfig, n + 2);
      deliver(fresh.get(0), incoming); // N again, the same bytes
      deliver(fresh.get(1), incoming); // N+1 again
      deliver(fresh.get(2), incoming);
      awaitWaitingFor(cli, replicaConfig, n + 3);
      Files.delete(incoming.resolve(fresh.get(0).getFileName())); // a transfer cleaned up
      deliver(fresh.get(5), incoming);
      deliver(fresh.get(4), incoming);
      awaitPurged(copy.resolve(fresh.get(0).getFileName()));
      deliver(fresh.get(0), incoming); // an old one after newer ones, which the copy no longer holds
      deliver(fresh.get(3), incoming);
      awaitWaitingFor(cli, replicaConfig, n + 6);
      deliver(fresh.get(1), incoming); // and again, once N+5 is taken
      List<Path> rest = DirectoryTransportCrashTest.sealed(archive);
      for (Path s : rest.reversed()) {
        deliver(s, incoming); // whatever is left, newest first
      }

      t.awaitPgEqual(Duration.ofSeconds(90));
      String last = Status.of(cli, primaryConfig).path("journal").path("lastGtid").asString();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      String applied = Sql.scalar(t.pgReplicaUrl, "SELECT applied_gtids FROM _ferry.replication_control");
      while (!applied.equals("0:" + Status.seq(Status.of(cli, primaryConfig).path("journal").path("lastGtid")))
          && System.nanoTime() < deadline) {
        Thread.sleep(300);
        applied = Sql.scalar(t.pgReplicaUrl, "SELECT applied_gtids FROM _ferry.replication_control");
      }
      assertThat(applied).as("every GTID once, no hole (the primary's newest: %s)", last)
          .matches("0:\\d+").isEqualTo("0:" + Status.seq(Status.of(cli, primaryConfig).path("journal")
          .path("lastGtid")));
      NodePair.assertSealedSegmentsIdentical(archive, copy);
      assertThat(NodePair.read(nodes.replicaLog)).as("nothing refused").doesNotContain("refused");
      // The status file is written about once a second: the link settles into waiting with no error.
      Await.until("the link waiting with no error", Duration.ofSeconds(30),
          () -> Status.of(cli, replicaConfig).path("links").path(0),
          l -> l.path("state").asString().equals("waiting") && l.path("lastError").isNull());
      nodes.terminateBoth();
    }
  }

  /** Copies as rsync does: a temporary name, then a rename over whatever has the name. */
  private static void deliver(Path segment, Path incoming) throws Exception {
    Path temp = incoming.resolve("." + segment.getFileName() + ".part");
    Files.copy(segment, temp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(temp, incoming.resolve(segment.getFileName()), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  /** Delivers every archived segment not delivered yet; returns how many the archive listed. */
  private static int deliverAll(Path archive, Path incoming) throws Exception {
    if (!Files.isDirectory(archive)) {
      return 0; // the primary's archiver creates it with the first segment
    }
    List<Path> sealed = DirectoryTransportCrashTest.sealed(archive);
    for (Path s : sealed) {
      if (!Files.exists(incoming.resolve(s.getFileName()))) {
        deliver(s, incoming);
      }
    }
    return sealed.size();
  }

  private static void deliverAllInOrder(Path archive, Path incoming) {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        deliverAll(archive, incoming);
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until the copy purged {@code segment} (its replica applied it). */
  private static void awaitPurged(Path segment) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (Files.exists(segment)) {
      assertThat(System.nanoTime()).as("%s purged from the copy", segment.getFileName()).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private static long number(Path segment) {
    String name = segment.getFileName().toString();
    return Long.parseLong(name.substring(0, name.indexOf('-')));
  }

  private static List<Path> awaitArchivedAtLeast(Path archive, long count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<Path> sealed = DirectoryTransportCrashTest.sealed(archive);
    while (sealed.size() < count) {
      assertThat(System.nanoTime()).as("%d segments archived; there are %s", count, sealed).isLessThan(deadline);
      Thread.sleep(200);
      sealed = DirectoryTransportCrashTest.sealed(archive);
    }
    return sealed;
  }

  private static JsonNode awaitWaitingFor(FerryCli cli, Path config, long segment) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      JsonNode link = Status.of(cli, config).path("links").path(0);
      if (link.path("state").asString().equals("waiting") && link.path("waitingFor").asLong() == segment) {
        return link;
      }
      assertThat(System.nanoTime()).as("the link waits for segment %d: %s", segment, link).isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
