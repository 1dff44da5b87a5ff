package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.SegmentFiles;
import dev.ferry.testkit.WorkloadRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A primary and a replica node as two {@code bin/ferry run} processes with nothing in common but
 * a directory: the primary captures PostgreSQL and archives its sealed segments into it
 * ({@code journal.archive.dir}); the replica node ingests them into its own journal copy
 * ({@code journal.from.directory}) and applies the copy to a PostgreSQL and a SQLite replica
 * (seeded from the source first). Under a 4-client load the sender and the receiver are each
 * killed with SIGKILL three times at seeded random moments and restarted: both replicas end equal
 * to the source, every sealed segment of the copy has the SHA-256 of the primary's, and the copy
 * purges what both replicas applied.
 */
@Timeout(600)
class DirectoryTransportCrashTest {
  private static final long SEED = 14_2026L;

  @TempDir Path dir;

  @Test
  void senderAndReceiverKilledAtRandomLoseAndDuplicateNothingAndTheCopyIsByteIdentical() throws Exception {
    SplittableRandom random = new SplittableRandom(SEED);
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Path incoming = dir.resolve("incoming");
      Path primaryJournal = dir.resolve("primary/journal");
      Path copy = dir.resolve("replica/journal");
      Files.createDirectories(primaryJournal.getParent());
      Files.createDirectories(copy.getParent());
      Path primaryConfig = Files.writeString(dir.resolve("primary.yaml"), "source:\n  name: primary\n  url: "
          + t.primaryUrl + "\n  tables: { include: ['public\\..*'] }\njournal:\n  dir: " + primaryJournal
          + "\n  segment-size: 64KiB\n  segment-age: 1s\n  archive:\n    dir: " + incoming + "\n");
      Path replicaConfig = Files.writeString(dir.resolve("replica.yaml"), "source:\n  name: primary\n  url: "
          + t.primaryUrl + "\n  tables: { include: ['public\\..*'] }\njournal:\n  dir: " + copy
          + "\n  from:\n    directory: " + incoming + "\n    poll-interval: 200ms\nreplicas:\n  - name: pg\n    url: "
          + t.pgReplicaUrl + "\n  - name: lite\n    url: " + t.liteReplica.jdbcUrl() + "\n");
      Path primaryLog = dir.resolve("primary.log");
      Path replicaLog = dir.resolve("replica.log");
      Process primary = cli.start(primaryLog, "run", "-c", primaryConfig.toString());
      awaitSourceStreaming(cli, primaryConfig, primary);
      // The copy takes the primary's UUID from segment 1: the primary must have written something.
      t.load();
      Process replica = cli.start(replicaLog, "run", "-c", replicaConfig.toString());
      awaitReplicasStreaming(cli, replicaConfig, replica);
      try (WorkloadRunner workload = t.workload(5)) {
        for (int round = 0; round < 3; round++) {
          workload.awaitCommitted(workload.committed() + 100, Duration.ofSeconds(60));
          Thread.sleep(200 + random.nextInt(2500));
          FerryCli.kill9(primary);
          primary = cli.start(primaryLog, "run", "-c", primaryConfig.toString());
          Thread.sleep(200 + random.nextInt(2500));
          FerryCli.kill9(replica);
          replica = cli.start(replicaLog, "run", "-c", replicaConfig.toString());
        }
        workload.awaitCommitted(workload.committed() + 100, Duration.ofSeconds(60));
        workload.stop();
      }
      assertThat(t.awaitEqual(Duration.ofSeconds(240))).as("differences; primary log: %s%nreplica log: %s",
          read(primaryLog), read(replicaLog)).isEmpty();
      assertThat(primary.isAlive()).isTrue();
      assertThat(replica.isAlive()).isTrue();

      // The status file is written about once a second, and the last segment is sealed by age after the load:
      // read until the link settled and the JSON and the text agree.
      Await.untilAsserted(Duration.ofSeconds(30), () -> {
        JsonNode link = Status.of(cli, replicaConfig).path("links").get(0);
        assertThat(link.path("kind").asString()).as("link %s", link).isEqualTo("directory");
        assertThat(link.path("state").asString()).as("link %s", link).isEqualTo("waiting");
        assertThat(link.path("lastError").isNull()).as("link %s", link).isTrue();
        assertThat(link.path("waitingFor").asLong()).as("link %s", link).isGreaterThan(3);
        FerryCli.Result text = cli.run(Duration.ofSeconds(60), "status", "-c", replicaConfig.toString());
        assertThat(text.stdout()).contains("link     directory " + incoming + ": waiting")
            .contains("waiting for segment " + link.path("waitingFor").asLong());
      });
      FerryCli.Result capture = cli.run(Duration.ofSeconds(60), "capture", "-c", replicaConfig.toString());
      assertThat(capture.exitCode()).as("capture on a replica node: %s", capture.all()).isEqualTo(2);
      assertThat(capture.all()).contains("journal.from is set in " + replicaConfig)
          .contains("start it with 'ferry run'");
      // Both replicas acknowledge what they committed; the copy then purges what both applied.
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (Files.exists(copy.resolve(sealed(primaryJournal).getFirst().getFileName()))
          && System.nanoTime() < deadline) {
        Thread.sleep(300);
      }
      assertThat(copy.resolve(sealed(primaryJournal).getFirst().getFileName())).as("segment 1 purged from the copy")
          .doesNotExist();
      NodePair.assertSealedSegmentsIdentical(primaryJournal, copy);
      assertThat(FerryCli.terminate(replica, Duration.ofSeconds(60))).isZero();
      assertThat(FerryCli.terminate(primary, Duration.ofSeconds(60))).isZero();
    }
  }

  static void awaitSourceStreaming(FerryCli cli, Path config, Process p) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!Status.sourceState(Status.of(cli, config)).equals("streaming")) {
      assertThat(p.isAlive()).as("the primary runs").isTrue();
      assertThat(System.nanoTime()).as("the primary streams within 90 s").isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /** Every replica of the replica node streams: the copy exists and each was seeded from the source. */
  static void awaitReplicasStreaming(FerryCli cli, Path config, Process p) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (true) {
      JsonNode s = Status.of(cli, config);
      List<JsonNode> replicas = s.path("replicas").values().stream().toList();
      if (!replicas.isEmpty() && replicas.stream().allMatch(r -> r.path("state").asString().equals("streaming"))) {
        return;
      }
      assertThat(p.isAlive()).as("the replica node runs").isTrue();
      assertThat(System.nanoTime()).as("the replicas stream within 180 s: %s", s).isLessThan(deadline);
      Thread.sleep(300);
    }
  }

  static List<Path> sealed(Path journal) throws IOException {
    try (Stream<Path> files = Files.list(journal)) {
      return files.filter(SegmentFiles::isSealedSegment).sorted().toList();
    }
  }

  static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  /** The SHA-256 of {@code file}, or empty when it is gone: its journal purged it since it was listed. */
  static Optional<String> sha256IfPresent(Path file) throws Exception {
    try {
      return Optional.of(sha256(file));
    } catch (NoSuchFileException purged) {
      return Optional.empty();
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
