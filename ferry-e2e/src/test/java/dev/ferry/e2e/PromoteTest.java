package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testkit.PostgresCluster;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * {@code ferry promote} through real processes: primary A serves its journal over HTTP (or pushes
 * it over TCP), replica node B receives it and applies it to a read-only PostgreSQL target. Under a load that also rolls
 * transactions back (consuming sequence values no journal sees), A is killed with SIGKILL; B's
 * target is kept from applying meanwhile (a lock), so B's copy holds a backlog. B is stopped, and
 * {@code ferry promote} is killed with SIGKILL while it applies, again after it wrote its plan (while
 * it waits to drop the read-only guards), then run again: B's target then
 * holds exactly what its copy held (every GTID applied once, rows equal to A's), its sequence hands
 * out no id A ever handed out, and it is writable. A hole in the applied set refuses, naming the
 * GTIDs; {@code --accept-loss} promotes and records them.
 */
@Timeout(600)
class PromoteTest {
  private static final long SEED = 17_2026L;

  @TempDir Path dir;

  @ParameterizedTest(name = "seed 17_2026, over {0}")
  @ValueSource(strings = {"http", "push"})
  void promoteAfterKillNineOfThePrimaryAndOfThePromoteItself(String transport) throws Exception {
    try (PostgresCluster pg = PostgresCluster.start(); FerryCli cli = new FerryCli(dir)) {
      Pair pair = startPair(pg, cli, transport.equals("push"));
      String a = pair.a();
      String b = pair.b();
      Nodes n = pair.nodes();
      Process pa = pair.pa();
      Process pb = pair.pb();
      assertThatThrownBy(() -> Sql.execute(b, "INSERT INTO items (v) VALUES ('local')"))
          .as("B's target is read-only before promotion").hasMessageContaining("read-only");
      AtomicLong committed = new AtomicLong();
      try (Connection lock = DriverManager.getConnection(b); Load load = new Load(a, committed)) {
        awaitAtLeast(committed, 200);
        lock.setAutoCommit(false);
        try (Statement st = lock.createStatement()) {
          st.execute("LOCK TABLE items IN SHARE MODE"); // B receives on, but cannot apply
        }
        awaitAtLeast(committed, committed.get() + 400);
        awaitReceivedBeyondApplied(cli, n.b);
        FerryCli.kill9(pa);
        load.stop();
        assertThat(FerryCli.terminate(pb, Duration.ofSeconds(90))).isZero();
        Process promote = cli.start(dir.resolve("promote1.log"), "promote", "-c", n.b.toString());
        LogWait.awaitLine(dir.resolve("promote1.log"), "pass 1 (apply the copy)", promote, Duration.ofSeconds(120));
        FerryCli.kill9(promote);
        lock.rollback();
      }
      try (Connection reader = DriverManager.getConnection(b)) {
        reader.setAutoCommit(false);
        try (Statement st = reader.createStatement()) {
          st.execute("SELECT count(*) FROM items"); // holds ACCESS SHARE: apply goes on, dropping the guards waits
        }
        Process promote = cli.start(dir.resolve("promote2.log"), "promote", "-c", n.b.toString());
        LogWait.awaitLine(dir.resolve("promote2.log"), "pass 4 (sequences, read-write)", promote, Duration.ofMinutes(5));
        FerryCli.kill9(promote);
        assertThat(Files.readString(dir.resolve("b-journal/promotion.json"))).as("killed after the plan, before done")
            .contains("\"state\":\"started\"");
        reader.rollback();
      }
      FerryCli.Result done = cli.run(Duration.ofMinutes(5), "promote", "-c", n.b.toString());
      assertThat(done.exitCode()).as(done.all()).isZero();
      assertThat(done.stdout()).contains("promoted: branch point 0-1-").contains("lost none");
      JsonNode status = Status.of(cli, n.b);
      JsonNode replica = Status.replica(status, "pg");
      String last = status.path("journal").path("lastGtid").asString();
      assertThat(replica.path("appliedGtid").asString()).isEqualTo(last);
      assertThat(replica.path("appliedSet").asString()).as("no hole").isEqualTo("0:" + Status.seq(status.path("journal").path("lastGtid")));
      List<String> onB = Sql.rows(b, "SELECT id, v FROM items ORDER BY id");
      assertThat(onB).as("rows B applied").hasSizeGreaterThan(600);
      assertThat(Sql.rows(a, "SELECT id, v FROM items ORDER BY id")).as("A's rows hold B's").containsAll(onB);
      FerryCli.Result again = cli.run(Duration.ofMinutes(2), "promote", "-c", n.b.toString());
      assertThat(again.exitCode()).as(again.all()).isZero();
      assertThat(again.stdout()).contains("promoted: branch point " + last);
      FerryCli.Result rerun = cli.run(Duration.ofMinutes(2), "run", "-c", n.b.toString());
      assertThat(rerun.exitCode()).as(rerun.all()).isEqualTo(1);
      assertThat(rerun.stderr()).contains("was promoted at").contains("no longer replicas of that journal");
      long handedOutByA = Long.parseLong(Sql.scalar(a, "SELECT last_value FROM items_id_seq"));
      List<Long> fresh = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        fresh.add(Long.parseLong(Sql.scalar(b, "INSERT INTO items (v) VALUES ('on b') RETURNING id")));
      }
      assertThat(fresh).as("ids B hands out after promotion; A handed out up to %d", handedOutByA)
          .allMatch(id -> id > handedOutByA);
    }
  }

  @Test
  void aHoleInTheAppliedSetRefusesNamingTheGtidsAndAcceptLossRecordsThem() throws Exception {
    try (PostgresCluster pg = PostgresCluster.start(); FerryCli cli = new FerryCli(dir)) {
      Pair pair = startPair(pg, cli, false);
      String a = pair.a();
      String b = pair.b();
      Nodes n = pair.nodes();
      Process pa = pair.pa();
      Process pb = pair.pb();
      for (int i = 0; i < 20; i++) {
        Sql.execute(a, "INSERT INTO items (v) VALUES ('row " + i + "')");
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (Long.parseLong(Sql.scalar(b, "SELECT count(*) FROM items")) < 21) {
        assertThat(System.nanoTime()).as("B applies 21 rows").isLessThan(deadline);
        Thread.sleep(200);
      }
      FerryCli.kill9(pa);
      assertThat(FerryCli.terminate(pb, Duration.ofSeconds(90))).isZero();
      String applied = Sql.scalar(b, "SELECT applied_gtids FROM _ferry.replication_control");
      long last = Long.parseLong(applied.substring(applied.indexOf(':') + 1));
      // As out-of-order apply leaves it when transaction 3 never arrived.
      Sql.execute(b, "SET default_transaction_read_only = off",
          "UPDATE _ferry.replication_control SET applied_gtids = '0:2:4-" + last + "'");

      FerryCli.Result refused = cli.run(Duration.ofMinutes(3), "promote", "-c", n.b.toString());
      assertThat(refused.exitCode()).as(refused.all()).isEqualTo(1);
      assertThat(refused.stderr()).contains("GTIDs [0-1-3] are missing").contains("--accept-loss");
      assertThatThrownBy(() -> Sql.execute(b, "INSERT INTO items (v) VALUES ('local')"))
          .as("still read-only after the refusal").hasMessageContaining("read-only");

      FerryCli.Result accepted = cli.run(Duration.ofMinutes(3), "promote", "--accept-loss", "-c", n.b.toString());
      assertThat(accepted.exitCode()).as(accepted.all()).isZero();
      assertThat(accepted.stdout()).contains("lost [0-1-3]").contains("branch point 0-1-" + last);
      assertThat(accepted.stderr()).contains("GTIDs [0-1-3] are lost");
      assertThat(Files.readString(dir.resolve("b-journal").resolve("promotion.json")))
          .contains("\"lost\":[{\"from\":\"0-1-3\",\"to\":\"0-1-3\"}]").contains("\"state\":\"done\"");
      Sql.execute(b, "INSERT INTO items (v) VALUES ('local')");
    }
  }

  private record Nodes(Path a, Path b) {}

  /** Primary A and replica node B running: A's database, B's target, their configurations and processes. */
  private record Pair(String a, String b, Nodes nodes, Process pa, Process pb) {}

  /** Starts A (captures items, serves its journal over HTTP) and B (pulls it, applies to a read-only target). */
  private Pair startPair(PostgresCluster pg, FerryCli cli, boolean push) throws Exception {
    String a = pg.createDatabase("a");
    String b = pg.createDatabase("b");
    Sql.execute(a, "CREATE TABLE items (id bigserial PRIMARY KEY, v text NOT NULL)");
    Nodes n = nodes(a, b, push);
    Process pa = cli.start(dir.resolve("a.log"), "run", "-c", n.a.toString());
    DirectoryTransportCrashTest.awaitSourceStreaming(cli, n.a, pa);
    Sql.execute(a, "INSERT INTO items (v) VALUES ('first')"); // a copy starts at A's first sealed segment
    Process pb = cli.start(dir.resolve("b.log"), "run", "-c", n.b.toString());
    DirectoryTransportCrashTest.awaitReplicasStreaming(cli, n.b, pb);
    return new Pair(a, b, n, pa, pb);
  }

  /** A serves its journal over HTTP, or pushes it over TCP ({@code push}), to replica node B. */
  private Nodes nodes(String a, String b, boolean push) throws Exception {
    int port = freePort();
    String source = "source:\n  name: primary\n  url: " + a + "\n";
    String timing = "heartbeat: 200ms\n      timeout: 2s\n      retry-max: 1s\n";
    String ship = push
        ? "  push:\n    - name: b\n      to: 127.0.0.1:" + port + "\n      secret: promote-e2e-secret-17\n      " + timing
        : "  serve:\n    http:\n      listen: 127.0.0.1:" + port + "\n      consumers: [b]\n";
    String from = push
        ? "  from:\n    listen:\n      address: 127.0.0.1:" + port + "\n      secret: promote-e2e-secret-17\n      " + timing
        : "  from:\n    http:\n      url: http://127.0.0.1:" + port + "/\n      consumer: b\n"
            + "      poll-interval: 200ms\n      retry-max: 1s\n";
    Path ca = Files.writeString(dir.resolve("a.yaml"), source + "journal:\n  dir: " + dir.resolve("a-journal")
        + "\n  segment-size: 64KiB\n  segment-age: 1s\n" + ship);
    Path cb = Files.writeString(dir.resolve("b.yaml"), source + "journal:\n  dir: " + dir.resolve("b-journal")
        + "\n" + from + "replicas:\n  - name: pg\n    url: " + b + "\n");
    return new Nodes(ca, cb);
  }

  /**
   * Waits until B's copy holds more than its replica applied (a backlog to promote) and at least 620
   * transactions: the copy follows A's commits by a segment or so, and the test expects more than 600 rows.
   */
  private static void awaitReceivedBeyondApplied(FerryCli cli, Path config) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      JsonNode s = Status.of(cli, config);
      long head = Status.seq(s.path("journal").path("lastGtid"));
      if (head >= 620 && head > Status.seq(Status.replica(s, "pg").path("appliedGtid")) + 50) {
        return;
      }
      assertThat(System.nanoTime()).as("a backlog in B's copy: %s", s).isLessThan(deadline);
      Thread.sleep(300);
    }
  }

  private static void awaitAtLeast(AtomicLong counter, long n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (counter.get() < n) {
      assertThat(System.nanoTime()).as("%d commits", n).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Two clients inserting one row per transaction; one in four transactions rolls back its insert. */
  private static final class Load implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final Map<Integer, Throwable> errors = new HashMap<>();

    Load(String url, AtomicLong committed) {
      for (int t = 0; t < 2; t++) {
        SplittableRandom random = new SplittableRandom(SEED + t);
        int client = t;
        threads.add(Thread.ofPlatform().start(() -> {
          try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            while (running.get()) {
              st.execute("INSERT INTO items (v) VALUES ('c" + client + "-" + random.nextInt(1_000_000) + "')");
              if (random.nextInt(4) == 0) {
                c.rollback();
              } else {
                c.commit();
                committed.incrementAndGet();
              }
            }
          } catch (Throwable e) {
            synchronized (errors) {
              errors.put(client, e);
            }
          }
        }));
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(Duration.ofSeconds(60));
      }
      synchronized (errors) {
        assertThat(errors).isEmpty();
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }
}
