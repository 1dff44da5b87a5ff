package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.BankWorkload;
import dev.ferry.testkit.TableDigest;
import dev.ferry.testkit.WorkloadRunner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The operator controls of docs/failover.md through the real {@code bin/ferry}: {@code ferry tag}
 * and a replica that stops right after it ({@code until: tag:NAME}) and stays there across a
 * {@code kill -9}, bad tag names and settings refused by name.
 */
class OperatorControlsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration LONG = Duration.ofSeconds(120);

  @TempDir Path dir;

  @Test
  @Timeout(600)
  void aReplicaStopsExactlyAfterItsUntilTagAndStaysThereAcrossAKillNineUntilTheSettingChanges() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      String plain = Files.readString(t.config);
      Files.writeString(t.config, plain.replace("  - name: pg\n", "  - name: pg\n    until: tag:cut-1\n"));
      Process run = t.startStreaming(cli);
      t.load();
      commit(t, 61, 200);
      assertThat(t.awaitEqual(LONG)).isEmpty();

      FerryCli.Result tag = cli.run(LONG, "tag", "cut-1", "-c", t.config.toString());
      assertThat(tag.exitCode()).as(tag.all()).isZero();
      assertThat(tag.stdout()).contains("tag cut-1 written to source primary at");
      Map<String, TableDigest> atTag = digests(t.primaryUrl);
      String tagGtid = awaitTag(cli, dir.resolve("journal"), "cut-1");
      assertThat(cli.run(LONG, "journal", "dump", dir.resolve("journal").toString()).stdout()).contains("TAG cut-1");
      t.transfers(200);

      JsonNode s = Status.awaitReplicaState(cli, t.config, "pg", "paused", LONG);
      JsonNode pg = Status.replica(s, "pg");
      assertThat(pg.path("lastError").asString()).as("%s", pg).contains("reached until tag:cut-1");
      assertThat(t.awaitEqual(LONG, false, true)).as("the other replica goes on").isEmpty();
      assertThat(digests(t.pgReplicaUrl)).as("pg holds exactly what the primary had at the tag").isEqualTo(atTag);
      assertThat(pg.path("appliedGtid").asString()).as("pg's last transaction is the tag's").isEqualTo(tagGtid);

      run = kill9AndRestart(cli, run, t.config); // while paused at the tag
      Status.awaitReplicaState(cli, t.config, "lite", "streaming", LONG);
      s = Status.awaitReplicaState(cli, t.config, "pg", "paused", LONG);
      t.transfers(100);
      assertThat(t.awaitEqual(LONG, false, true)).isEmpty();
      assertThat(digests(t.pgReplicaUrl)).as("after kill -9 and restart pg is still at the tag").isEqualTo(atTag);
      assertThat(Status.replica(Status.of(cli, t.config), "pg").path("state").asString()).isEqualTo("paused");
      releaseAndConverge(t, cli, run, plain); // the setting changed: pg goes on from the tag
    }
  }

  @Test
  @Timeout(600)
  void aReplicaStopsExactlyAfterItsUntilGtidAlsoAcrossAKillNine() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      String plain = Files.readString(t.config);
      Files.writeString(t.config, plain.replace("  - name: pg\n", "  - name: pg\n    until: 0-1-100\n"));
      Process run = t.startStreaming(cli);
      t.load();
      t.transfers(200);
      JsonNode pg = Status.replica(Status.awaitReplicaState(cli, t.config, "pg", "paused", LONG), "pg");
      assertThat(Status.seq(pg.path("appliedGtid"))).as("%s", pg).isEqualTo(100);
      assertThat(pg.path("lastError").asString()).contains("reached until 0-1-100");
      assertThat(t.awaitEqual(LONG, false, true)).as("the other replica goes on").isEmpty();
      Map<String, TableDigest> atGtid = digests(t.pgReplicaUrl);

      run = kill9AndRestart(cli, run, t.config); // while paused at the GTID
      pg = Status.replica(Status.awaitReplicaState(cli, t.config, "pg", "paused", LONG), "pg");
      assertThat(Status.seq(pg.path("appliedGtid"))).as("%s", pg).isEqualTo(100);
      assertThat(digests(t.pgReplicaUrl)).isEqualTo(atGtid);
      releaseAndConverge(t, cli, run, plain);
    }
  }

  @Test
  @Timeout(600)
  void aTagTravelsOverHttpToAReplicaNodeWhoseReplicaStopsAtItAlsoAfterAKillNine() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      int port = freePort();
      String source = "source:\n  name: primary\n  url: " + t.primaryUrl + "\n  tables: { include: ['public\\..*'] }\n";
      Path aJournal = dir.resolve("a/journal");
      Path bCopy = dir.resolve("b/journal");
      Files.createDirectories(dir.resolve("a"));
      Files.createDirectories(dir.resolve("b"));
      Path a = Files.writeString(dir.resolve("a.yaml"), source + "journal:\n  dir: " + aJournal + "\n  segment-size: 16KiB\n"
          + "  segment-age: 1s\n  serve:\n    http:\n      listen: 127.0.0.1:" + port + "\n      consumers: [b]\n");
      Path b = Files.writeString(dir.resolve("b.yaml"), source + "journal:\n  dir: " + bCopy + "\n  from:\n    http:\n"
          + "      url: http://127.0.0.1:" + port + "/\n      consumer: b\n      poll-interval: 200ms\n"
          + "      retry-max: 1s\nreplicas:\n  - name: pg\n    url: " + t.pgReplicaUrl + "\n    until: tag:cut\n");
      Process pa = cli.start(dir.resolve("a.log"), "run", "-c", a.toString());
      try {
        DirectoryTransportCrashTest.awaitSourceStreaming(cli, a, pa);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n" + Files.readString(dir.resolve("a.log")), e);
      }
      t.load();
      Process pb = cli.start(dir.resolve("b.log"), "run", "-c", b.toString());
      DirectoryTransportCrashTest.awaitReplicasStreaming(cli, b, pb);
      t.transfers(100);
      t.awaitPgEqual(LONG);

      FerryCli.Result onReplicaNode = cli.run(LONG, "tag", "cut", "-c", b.toString());
      assertThat(onReplicaNode.exitCode()).as(onReplicaNode.all()).isEqualTo(1);
      assertThat(onReplicaNode.stderr()).contains("replica node");
      FerryCli.Result tag = cli.run(LONG, "tag", "cut", "-c", a.toString());
      assertThat(tag.exitCode()).as(tag.all()).isZero();
      Map<String, TableDigest> atTag = digests(t.primaryUrl);
      t.transfers(100);

      JsonNode pg = Status.replica(Status.awaitReplicaState(cli, b, "pg", "paused", LONG), "pg");
      assertThat(digests(t.pgReplicaUrl)).as("pg holds exactly what the primary had at the tag").isEqualTo(atTag);
      // (the primary's journal may have purged the tag's segment by now: every consumer applied it)
      assertThat(Files.readString(bCopy.resolve("replica-pg.control")))
          .as("the control file records the tag at pg's last transaction")
          .contains("until-tag=cut\nuntil-tag-gtid=" + pg.path("appliedGtid").asString() + "\n");

      FerryCli.kill9(pb); // while paused at the tag
      pb = cli.start(dir.resolve("b2.log"), "run", "-c", b.toString());
      Status.awaitReplicaState(cli, b, "pg", "paused", LONG);
      t.transfers(50);
      long head = lastSeq(cli, aJournal);
      long deadline = System.nanoTime() + LONG.toNanos();
      while (lastSeq(cli, bCopy) < head) { // the copy received what a wrong pg would go on with
        assertThat(System.nanoTime()).as("the copy receives up to seq %d", head).isLessThan(deadline);
        Thread.sleep(500);
      }
      Status.awaitReplicaState(cli, b, "pg", "paused", LONG);
      assertThat(digests(t.pgReplicaUrl)).as("after kill -9 and restart pg is still at the tag").isEqualTo(atTag);
      for (Process p : List.of(pb, pa)) {
        assertThat(FerryCli.terminate(p, LONG)).isZero();
      }
    }
  }

  @Test
  @Timeout(600)
  void aSuspendedReplicaStaysSuspendedAcrossAKillNineAndWaitTellsWhenItHasAppliedAGtid() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      String node = "http://127.0.0.1:" + freePort();
      Files.writeString(t.config, Files.readString(t.config) + "http:\n  listen: '" + node.substring(7) + "'\n");
      Process run = t.startStreaming(cli);
      t.load();
      commit(t, 71, 100);
      assertThat(t.awaitEqual(LONG)).isEmpty();
      String head = Status.of(cli, t.config).path("journal").path("lastGtid").asString();
      FerryCli.Result applied = cli.run(LONG, "wait", "--replica", "pg", "--gtid", head, "--timeout", "60s",
          "-c", t.config.toString());
      assertThat(applied.exitCode()).as(applied.all()).isZero();
      assertThat(applied.stdout()).contains("replica pg has applied " + head);
      FerryCli.Result remote = cli.run(LONG, "wait", "--replica", "lite", "--gtid", head, "--url", node);
      assertThat(remote.exitCode()).as("through the node's admin API: %s", remote.all()).isZero();

      FerryCli.Result suspend = cli.run(LONG, "suspend", "pg", "-c", t.config.toString());
      assertThat(suspend.exitCode()).as(suspend.all()).isZero();
      JsonNode pgSuspended = Status.replica(Status.awaitReplicaState(cli, t.config, "pg", "suspended", LONG), "pg");
      long pgAt = Status.seq(pgSuspended.path("appliedGtid")); // what pg applied: the status says suspended
      Map<String, TableDigest> before = digests(t.pgReplicaUrl);
      t.transfers(200);
      assertThat(t.awaitEqual(LONG, false, true)).as("the other replica goes on").isEmpty();
      // The status file may be a second old: wait until it shows a GTID past what pg had applied.
      JsonNode journalHead = Status.of(cli, t.config).path("journal").path("lastGtid");
      long seen = System.nanoTime() + LONG.toNanos();
      while (Status.seq(journalHead) <= pgAt) {
        assertThat(System.nanoTime()).as("status shows a journal head past seq %d", pgAt).isLessThan(seen);
        Thread.sleep(200);
        journalHead = Status.of(cli, t.config).path("journal").path("lastGtid");
      }
      String later = journalHead.asString();
      FerryCli.Result timedOut = cli.run(LONG, "wait", "--replica", "pg", "--gtid", later, "--timeout", "2s",
          "-c", t.config.toString());
      assertThat(timedOut.exitCode()).as(timedOut.all()).isEqualTo(1);
      assertThat(timedOut.stderr()).contains("replica pg has not applied " + later + " within 2s");
      assertThat(digests(t.pgReplicaUrl)).as("nothing applied while suspended").isEqualTo(before);

      run = kill9AndRestart(cli, run, t.config); // while suspended
      Status.awaitReplicaState(cli, t.config, "lite", "streaming", LONG);
      Status.awaitReplicaState(cli, t.config, "pg", "suspended", LONG);
      assertThat(digests(t.pgReplicaUrl)).as("still suspended after kill -9 and restart").isEqualTo(before);

      FerryCli.Result resume = cli.run(LONG, "resume", "pg", "-c", t.config.toString());
      assertThat(resume.exitCode()).as(resume.all()).isZero();
      applied = cli.run(LONG, "wait", "--replica", "pg", "--gtid", later, "--timeout", "120s", "-c", t.config.toString());
      assertThat(applied.exitCode()).as(applied.all()).isZero();
      assertThat(t.awaitEqual(LONG)).as("nothing lost or duplicated").isEmpty();
      assertThat(FerryCli.terminate(run, LONG)).isZero();
    }
  }

  @Test
  @Timeout(600)
  void aDelayedReplicaAppliesNoTransactionBeforeItsCommitTimePlusTheDelayAlsoAcrossAKillNine() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Files.writeString(t.config, Files.readString(t.config).replace("  - name: pg\n", "  - name: pg\n    delay: 20s\n"));
      Process run = t.startStreaming(cli);
      t.load();
      t.transfers(50);
      Instant beforeLast = Instant.now();
      t.transfers(1);
      JsonNode pg = Status.replica(Status.awaitReplicaState(cli, t.config, "pg", "delayed", LONG), "pg");
      assertThat(pg.path("lastError").asString()).as("%s", pg).contains("delayed by 20s");
      assertThat(t.awaitEqual(LONG, false, true)).as("the other replica is not delayed").isEmpty();

      run = kill9AndRestart(cli, run, t.config); // while delaying
      assertThat(t.awaitEqual(LONG)).as("nothing lost or duplicated").isEmpty();
      assertThat(Instant.now()).as("the last transaction is applied no earlier than its commit time plus 20 s")
          .isAfterOrEqualTo(beforeLast.plusSeconds(20));
      assertThat(FerryCli.terminate(run, LONG)).isZero();
    }
  }

  @Test
  @Timeout(120)
  void badTagNamesUntilSettingsAndSourcesWithoutTagsAreRefusedByName() throws Exception {
    try (FerryCli cli = new FerryCli(dir)) {
      FerryCli.Result bad = cli.run(LONG, "tag", "no spaces!");
      assertThat(bad.exitCode()).as(bad.all()).isEqualTo(2);
      assertThat(bad.stderr()).contains("tag name 'no spaces!' is not valid");

      Path yaml = dir.resolve("until.yaml");
      Files.writeString(yaml, FerryYaml.source("jdbc:postgresql://localhost:1/x", dir.resolve("j")).text()
          + "  - name: r1\n    url: jdbc:postgresql://localhost:1/y\n    until: 0-1\n");
      FerryCli.Result until = cli.run(LONG, "status", "-c", yaml.toString());
      assertThat(until.exitCode()).as(until.all()).isEqualTo(2);
      assertThat(until.stderr()).contains("replicas[0].until").contains("neither a GTID");

      Path lite = dir.resolve("lite.yaml");
      Files.writeString(lite, FerryYaml.source("jdbc:sqlite:" + dir.resolve("src.db"), dir.resolve("j")).text()
          + "  - name: r1\n    url: jdbc:postgresql://localhost:1/y\n");
      FerryCli.Result sqlite = cli.run(LONG, "tag", "t1", "-c", lite.toString());
      assertThat(sqlite.exitCode()).as(sqlite.all()).isEqualTo(1);
      assertThat(sqlite.stderr()).contains("'ferry tag' needs a PostgreSQL source");

      FerryCli.Result gtid = cli.run(LONG, "wait", "--replica", "r1", "--gtid", "x-1", "-c", lite.toString());
      assertThat(gtid.exitCode()).as(gtid.all()).isEqualTo(2);
      assertThat(gtid.stderr()).contains("--gtid");
      FerryCli.Result unknown = cli.run(LONG, "suspend", "nope", "-c", lite.toString());
      assertThat(unknown.exitCode()).as(unknown.all()).isEqualTo(2);
      assertThat(unknown.stderr()).contains("no replica named nope").contains("[r1]");
    }
  }

  /** SIGKILL of the node at this moment, and a new {@code ferry run} on {@code config} (its log: run2.log). */
  private Process kill9AndRestart(FerryCli cli, Process run, Path config) throws Exception {
    FerryCli.kill9(run);
    return cli.start(dir.resolve("run2.log"), "run", "-c", config.toString());
  }

  /** Stops the node, puts the configuration without pg's control back, and checks that both replicas converge. */
  private void releaseAndConverge(Topology t, FerryCli cli, Process run, String plain) throws Exception {
    assertThat(FerryCli.terminate(run, LONG)).isZero();
    Files.writeString(t.config, plain);
    Process again = t.startStreaming(cli, dir.resolve("run3.log"));
    assertThat(t.awaitEqual(LONG)).as("nothing lost or duplicated").isEmpty();
    assertThat(FerryCli.terminate(again, LONG)).isZero();
  }

  static void commit(Topology t, long seed, int transactions) throws Exception {
    try (WorkloadRunner workload = t.workload(seed)) {
      workload.awaitCommitted(transactions, Duration.ofSeconds(120));
      workload.stop();
    }
  }

  static Map<String, TableDigest> digests(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url)) {
      return TableDigest.ofAll(c, BankWorkload.TABLES);
    }
  }

  /** The sequence number of the newest transaction in {@code journal}, from {@code ferry journal dump --json}. */
  static long lastSeq(FerryCli cli, Path journal) throws Exception {
    FerryCli.Result dump = cli.run(LONG, "journal", "dump", journal.toString(), "--json");
    long last = 0;
    for (String line : dump.stdout().split("\n")) {
      if (line.startsWith("{")) {
        last = Status.seq(JSON.readTree(line).path("gtid"));
      }
    }
    return last;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * The GTID of the transaction carrying tag {@code name}, from {@code ferry journal dump --json}, once
   * capture has journaled it (read before every replica has applied it: then its segment may be purged).
   */
  static String awaitTag(FerryCli cli, Path journal, String name) throws Exception {
    long deadline = System.nanoTime() + LONG.toNanos();
    while (true) {
      FerryCli.Result dump = cli.run(LONG, "journal", "dump", journal.toString(), "--json");
      assertThat(dump.exitCode()).as(dump.stderr()).isZero();
      for (String line : dump.stdout().split("\n")) {
        if (line.startsWith("{") && line.contains("\"tag\":\"" + name + "\"")) {
          return JSON.readTree(line).path("gtid").asString();
        }
      }
      assertThat(System.nanoTime()).as("tag %s journaled in %s", name, journal).isLessThan(deadline);
      Thread.sleep(300);
    }
  }
}
