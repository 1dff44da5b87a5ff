package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.WorkloadRunner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A primary and a replica node as two {@code bin/ferry run} processes, each with its own
 * configuration and log, for the transport crash tests: start both, kill either with SIGKILL at
 * seeded random moments under a workload and restart it, and check that the replica node's journal
 * copy is byte-identical to the primary's journal.
 */
final class NodePair {
  final FerryCli cli;
  final Path primaryConfig;
  final Path replicaConfig;
  final Path primaryLog;
  final Path replicaLog;
  Process primary;
  Process replica;
  /** Added to the replica node's environment at each start. */
  Map<String, String> replicaEnv = Map.of();

  NodePair(FerryCli cli, Path dir, Path primaryConfig, Path replicaConfig) {
    this.cli = cli;
    this.primaryConfig = primaryConfig;
    this.replicaConfig = replicaConfig;
    this.primaryLog = dir.resolve("primary.log");
    this.replicaLog = dir.resolve("replica.log");
  }

  /** Starts the primary and waits until it captures. */
  void startPrimary() throws Exception {
    primary = cli.start(primaryLog, "run", "-c", primaryConfig.toString());
    try {
      DirectoryTransportCrashTest.awaitSourceStreaming(cli, primaryConfig, primary);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\nprimary log: " + read(primaryLog), e);
    }
  }

  /** Starts the replica node and waits until its replicas stream (the copy exists, each was seeded). */
  void startReplica() throws Exception {
    replica = cli.start(replicaLog, replicaEnv, "run", "-c", replicaConfig.toString());
    try {
      DirectoryTransportCrashTest.awaitReplicasStreaming(cli, replicaConfig, replica);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\nreplica log: " + read(replicaLog), e);
    }
  }

  /**
   * {@code rounds} times, after the workload committed 100 more transactions: kills the primary at
   * a random moment and restarts it, then the replica node; finally lets 100 more commit and stops
   * the workload.
   */
  void killBothAtRandom(SplittableRandom random, WorkloadRunner workload, int rounds) throws Exception {
    for (int round = 0; round < rounds; round++) {
      workload.awaitCommitted(workload.committed() + 100, Duration.ofSeconds(60));
      Thread.sleep(200 + random.nextInt(2500));
      FerryCli.kill9(primary);
      Thread.sleep(random.nextInt(1500)); // the other end finds the link gone and retries
      primary = cli.start(primaryLog, "run", "-c", primaryConfig.toString());
      Thread.sleep(200 + random.nextInt(2500));
      FerryCli.kill9(replica);
      replica = cli.start(replicaLog, replicaEnv, "run", "-c", replicaConfig.toString());
    }
    workload.awaitCommitted(workload.committed() + 100, Duration.ofSeconds(60));
    workload.stop();
  }

  /** Both logs, for a failure message. */
  String logs() {
    return "primary log: " + read(primaryLog) + "\nreplica log: " + read(replicaLog);
  }

  /**
   * Every sealed segment left in {@code copy} has the SHA-256 of the primary's; returns those compared. The
   * copy purges what its replicas applied meanwhile (on a pass of its link, on a seal): a segment listed but
   * gone before it is read is not left in the copy. The newest sealed one is never purged while none is open.
   */
  static List<Path> assertSealedSegmentsIdentical(Path primaryJournal, Path copy) throws Exception {
    List<Path> compared = new ArrayList<>();
    for (Path s : DirectoryTransportCrashTest.sealed(copy)) {
      Optional<String> sha = DirectoryTransportCrashTest.sha256IfPresent(s);
      if (sha.isPresent()) {
        assertThat(sha.get()).as("SHA-256 of %s in the copy", s.getFileName())
            .isEqualTo(DirectoryTransportCrashTest.sha256(primaryJournal.resolve(s.getFileName())));
        compared.add(s);
      }
    }
    assertThat(compared).as("sealed segments left in the copy").isNotEmpty();
    return compared;
  }

  /** Stops both with SIGTERM; both exit 0. */
  void terminateBoth() throws InterruptedException {
    assertThat(FerryCli.terminate(replica, Duration.ofSeconds(60))).isZero();
    assertThat(FerryCli.terminate(primary, Duration.ofSeconds(60))).isZero();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(none)";
    }
  }
}
