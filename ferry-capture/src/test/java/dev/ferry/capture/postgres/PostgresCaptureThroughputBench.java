package dev.ferry.capture.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.capture.JournalSink;
import dev.ferry.capture.ResumePoint;
import dev.ferry.capture.TransactionSink;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.TempFiles;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * Capture throughput from a slot holding a backlog of pgbench {@code -N} transactions (an UPDATE of
 * an account and an INSERT into the keyless history each), side by side in one run:
 *
 * <ul>
 *   <li><b>pg_recvlogical</b>: PostgreSQL's own C client reads the slot to the backlog's end LSN
 *       into {@code /dev/null}: the floor set by the server's logical decoding and pgoutput;
 *   <li><b>raw</b>: pgjdbc reads the slot's pgoutput stream and discards the bytes, counting COMMIT
 *       messages: the floor for any pgjdbc-based capture;
 *   <li><b>ferry→discard</b>: {@link PostgresCapture} into a sink that drops each transaction (the
 *       decoder and transaction builder alone);
 *   <li><b>ferry→journal</b>: {@link PostgresCapture} into the journal, timed until the last
 *       transaction is durable (fsynced) — what issue 8's case 6 measures.
 * </ul>
 *
 * Each variant of each round reads its own slot, all created before the backlog; rounds alternate
 * the order. Prints change events per second and the ratios to pg_recvlogical and raw, CPU
 * figures, and the capture thread's CPU on an idle slot; asserts only the outcome
 * (every transaction and change captured exactly once), never the time. Run with
 * {@code ./mvnw -o -Dferry.target=target-perf -pl ferry-capture -am verify -Dtest=PostgresCaptureThroughputBench
 * -Dsurefire.failIfNoSpecifiedTests=false -Dferry.bench=true [-Dferry.bench.transactions=80000]
 * [-Dferry.bench.rounds=2]}.
 */
@EnabledIfSystemProperty(named = "ferry.bench", matches = "true")
class PostgresCaptureThroughputBench {
  private static final Path PG_BIN =
      Path.of(System.getenv().getOrDefault("FERRY_PG_BIN", "/usr/lib/postgresql/15/bin"));
  private static final List<String> VARIANTS =
      List.of("pg_recvlogical", "raw", "ferry->discard", "ferry->journal");

  @Test
  @Timeout(3600)
  void capturesPgbenchBacklog() throws Exception {
    long transactions = Long.getLong("ferry.bench.transactions", 60_000L) / 4 * 4;
    int rounds = Integer.getInteger("ferry.bench.rounds", 2);
    Path work = Files.createTempDirectory("ferry-capture-bench-");
    try (PostgresCluster cluster = PostgresCluster.start(Map.of("synchronous_commit", "off",
        "shared_buffers", "128MB", "max_wal_size", "4GB"))) {
      String url = cluster.createDatabase("bench");
      pgbench(cluster, "-i", "-q", "-s", "1", "-I", "dtGvp");
      exec(url, "ALTER TABLE pgbench_history REPLICA IDENTITY FULL");
      List<List<PostgresSourceConfig>> slots = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        List<PostgresSourceConfig> round = new ArrayList<>();
        for (int v = 0; v < VARIANTS.size(); v++) {
          PostgresSourceConfig c = PostgresSourceConfig.of("b" + r + "_" + v, url)
              .withTables(List.of("public\\.pgbench_.*"), List.of());
          PostgresSetup.setup(c);
          round.add(c);
        }
        slots.add(round);
      }
      long t0 = System.nanoTime();
      pgbench(cluster, "-n", "-N", "-c4", "-j2", "-t", String.valueOf(transactions / 4));
      System.out.printf(Locale.ROOT, "PostgresCaptureThroughputBench: backlog of %d transactions made in %.1f s%n",
          transactions, (System.nanoTime() - t0) / 1e9);
      String endLsn = scalar(url, "SELECT pg_current_wal_lsn()::text");
      exec(url, "CHECKPOINT"); // WAL beyond the backlog's end, so that pg_recvlogical sees its end position pass
      long events = 2 * transactions;
      double[][] seconds = new double[VARIANTS.size()][rounds];
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < VARIANTS.size(); i++) {
          int v = r % 2 == 0 ? i : VARIANTS.size() - 1 - i;
          PostgresSourceConfig slot = slots.get(r).get(v);
          long cpu0 = processCpuNanos();
          double s = switch (v) {
            case 0 -> recvlogical(cluster, slot, endLsn);
            case 1 -> raw(slot, transactions);
            case 2 -> ferry(slot, new CountingSink(null), transactions, events);
            default -> {
              Path dir = work.resolve(slot.name());
              try (Journal journal = Journal.open(JournalConfig.defaults(dir))) {
                yield ferry(slot, new CountingSink(new JournalSink(journal)), transactions, events);
              } finally {
                TempFiles.deleteTree(dir);
              }
            }
          };
          seconds[v][r] = s;
          double cpu = (processCpuNanos() - cpu0) / 1e9;
          System.out.printf(Locale.ROOT, "PostgresCaptureThroughputBench: round %d %-15s %6.2f s %8.0f events/s"
              + " %7.0f tx/s, this JVM's CPU %5.2f s (%.2f us/event)%n", r + 1, VARIANTS.get(v), s, events / s,
              transactions / s, cpu, cpu * 1e6 / events);
        }
      }
      idle(url);
      for (int v = 0; v < VARIANTS.size(); v++) {
        StringBuilder line = new StringBuilder();
        for (int r = 0; r < rounds; r++) {
          line.append(String.format(Locale.ROOT, " %.0f (%.2fx pg_recvlogical, %.2fx raw)", events / seconds[v][r],
              seconds[0][r] / seconds[v][r], seconds[1][r] / seconds[v][r]));
        }
        System.out.printf(Locale.ROOT, "PostgresCaptureThroughputBench: %-15s events/s per round:%s%n",
            VARIANTS.get(v), line);
      }
    } finally {
      TempFiles.deleteTree(work);
    }
  }

  /** CPU time of the live threads named {@code name}. */
  private static long threadCpu(String name) {
    var threads = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().equals(name)) {
        sum += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return sum;
  }

  /** CPU time of this JVM (all threads, GC and compiler included). */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Seconds for pg_recvlogical to read the slot up to {@code endLsn}, writing to /dev/null. */
  private static double recvlogical(PostgresCluster cluster, PostgresSourceConfig slot, String endLsn)
      throws Exception {
    List<String> cmd = List.of(PG_BIN.resolve("pg_recvlogical").toString(), "-h", "127.0.0.1", "-p",
        String.valueOf(cluster.port()), "-U", "postgres", "-d", "bench", "-S", slot.slotName(), "--start",
        "-o", "proto_version=1", "-o", "publication_names=" + slot.publicationName(), "-o", "messages=true",
        "-E", endLsn, "-F", "0", "-s", "1", "-f", "/dev/null");
    long start = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** Prints the capture thread's CPU over 5 s on a slot with nothing to stream (an idle source). */
  private static void idle(String url) throws Exception {
    PostgresSourceConfig slot =
        PostgresSourceConfig.of("idle", url).withTables(List.of("public\\.pgbench_.*"), List.of());
    PostgresSetup.setup(slot);
    try (PostgresCapture capture = PostgresCapture.start(slot, new CountingSink(null))) {
      assertThat(capture.awaitStreaming(Duration.ofSeconds(30))).isTrue();
      Thread.sleep(1000);
      long cpu0 = threadCpu("ferry-capture-idle");
      Thread.sleep(5000);
      System.out.printf(Locale.ROOT, "PostgresCaptureThroughputBench: idle source, capture thread CPU over 5 s:"
          + " %.3f s%n", (threadCpu("ferry-capture-idle") - cpu0) / 1e9);
    }
  }

  /** Seconds to read {@code transactions} COMMIT messages from the slot with pgjdbc, discarding them. */
  private static double raw(PostgresSourceConfig slot, long transactions) throws Exception {
    long start = System.nanoTime();
    try (Connection c = Connections.replication(slot)) {
      PGReplicationStream stream = c.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
          .withSlotName(slot.slotName())
          .withSlotOption("proto_version", "1")
          .withSlotOption("publication_names", slot.publicationName())
          .withSlotOption("messages", "true")
          .withStartPosition(LogSequenceNumber.INVALID_LSN)
          .withStatusInterval(1, TimeUnit.SECONDS)
          .start();
      long commits = 0;
      long bytes = 0;
      while (commits < transactions) {
        ByteBuffer b = stream.read();
        bytes += b.remaining();
        if (b.get(b.position()) == 'C') {
          commits++;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(Locale.ROOT, "PostgresCaptureThroughputBench: raw read %d bytes of pgoutput%n", bytes);
      stream.close();
      return seconds;
    }
  }

  /** Seconds from starting capture until {@code transactions} are durable in {@code sink}. */
  private static double ferry(PostgresSourceConfig slot, CountingSink sink, long transactions, long events)
      throws Exception {
    long start = System.nanoTime();
    double seconds;
    try (PostgresCapture capture = PostgresCapture.start(slot, sink)) {
      long deadline = start + Duration.ofMinutes(20).toNanos();
      while (sink.durableTransactions.get() < transactions) {
        capture.failure().ifPresent(e -> {
          throw new AssertionError("capture failed", e);
        });
        assertThat(System.nanoTime()).as("capture of the backlog within 20 minutes").isLessThan(deadline);
        Thread.sleep(1);
      }
      seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(Locale.ROOT, "PostgresCaptureThroughputBench:   thread CPU: capture %.2f s, journal writer"
          + " %.2f s%n", threadCpu("ferry-capture-" + slot.name()) / 1e9, threadCpu("ferry-journal-writer") / 1e9);
    }
    assertThat(sink.durableTransactions.get()).isEqualTo(transactions);
    assertThat(sink.rowChanges.get()).isEqualTo(events);
    return seconds;
  }

  /**
   * Counts durable transactions and their row changes; passes each to {@code delegate}, or drops it
   * (a completed future) when there is none. Thread-safe counters; appends from the capture thread.
   */
  private static final class CountingSink implements TransactionSink {
    private final TransactionSink delegate;
    final AtomicLong durableTransactions = new AtomicLong();
    final AtomicLong rowChanges = new AtomicLong();

    CountingSink(TransactionSink delegate) {
      this.delegate = delegate;
    }

    @Override
    public Optional<ResumePoint> resumePoint() throws IOException {
      return delegate == null ? Optional.empty() : delegate.resumePoint();
    }

    @Override
    public CompletableFuture<?> append(Transaction transaction) {
      long changes = 0;
      for (Change c : transaction.changes()) {
        if (c instanceof Change.Insert || c instanceof Change.Update || c instanceof Change.Delete) {
          changes++;
        }
      }
      long counted = changes;
      CompletableFuture<?> durable = delegate == null ? CompletableFuture.completedFuture(null)
          : delegate.append(transaction);
      return durable.whenComplete((ok, e) -> {
        if (e == null) {
          rowChanges.addAndGet(counted);
          durableTransactions.incrementAndGet();
        }
      });
    }

    @Override
    public LargeTransaction beginLarge(Gtid gtid) {
      throw new IllegalStateException("pgbench transactions are small; no large transaction expected");
    }
  }

  private static void pgbench(PostgresCluster cluster, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(PG_BIN.resolve("pgbench").toString(), "-h", "127.0.0.1", "-p",
        String.valueOf(cluster.port()), "-U", "postgres"));
    cmd.addAll(List.of(args));
    cmd.add("bench");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
    }
  }

  private static String scalar(String url, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void exec(String url, String... sqls) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      for (String sql : sqls) {
        st.execute(sql);
      }
    }
  }
}
