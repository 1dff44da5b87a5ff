package dev.ferry.node.cli;

import dev.ferry.node.run.FerryNode;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.NodeStatus;
import dev.ferry.node.run.ReplicaState;
import dev.ferry.testkit.BankWorkload;
import dev.ferry.testkit.TableDigest;
import dev.ferry.testkit.WorkloadRunner;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One demo run: start the node, load the bank, run the workload with a live progress line while a
 * reader checks the replica's total balance, stop, wait for the replica, compare digests, report.
 */
final class DemoRun {
  record Settings(Duration length, int clients, int accounts, long seed, PrintWriter out) {}

  private final NodeSpec spec;
  private final BankWorkload bank;
  private final String primaryUrl;
  private final String replicaUrl;
  private final Settings settings;
  private final boolean schemaOnReplica;
  private final AtomicLong balanceChecks = new AtomicLong();
  private final AtomicReference<String> balanceViolation = new AtomicReference<>();
  private double maxLagSeconds;
  private long maxLagTransactions;

  DemoRun(NodeSpec spec, BankWorkload bank, String primaryUrl, String replicaUrl, Settings settings,
      boolean schemaOnReplica) {
    this.spec = spec;
    this.bank = bank;
    this.primaryUrl = primaryUrl;
    this.replicaUrl = replicaUrl;
    this.settings = settings;
    this.schemaOnReplica = schemaOnReplica;
  }

  int run() throws Exception {
    PrintWriter out = settings.out();
    long expectedTotal = settings.accounts() * BankWorkload.INITIAL_BALANCE;
    try (FerryNode node = FerryNode.start(spec, FerryNode.Role.RUN, List.of())) {
      if (!node.awaitCaptureStreaming(Duration.ofSeconds(60))) {
        throw new CliException("capture did not start: " + node.captureFailure().map(Throwable::getMessage).orElse("?"));
      }
      out.printf("ferry demo: %s primary -> replica, journal in %s%n", spec.source().product(),
          spec.journal().directory());
      try (Connection primary = connect(primaryUrl)) {
        if (!schemaOnReplica) {
          bank.createSchema(primary);
        }
        bank.load(primary);
      }
      awaitCaughtUp(node, Duration.ofSeconds(120), "the initial load");
      out.printf("loaded %d accounts (total balance %d) and replicated them; running %d clients for %d s%n",
          settings.accounts(), expectedTotal, settings.clients(), settings.length().toSeconds());
      out.flush();
      WorkloadRunner.Stats stats;
      Thread checker = Thread.ofPlatform().daemon().start(() -> checkBalance(expectedTotal));
      long started = System.nanoTime();
      try (WorkloadRunner workload = WorkloadRunner.start(bank, () -> connect(primaryUrl),
          settings.clients(), settings.seed())) {
        long end = started + settings.length().toNanos();
        while (System.nanoTime() < end) {
          Thread.sleep(500);
          progress(node.status(), workload.committed(), (System.nanoTime() - started) / 1e9, false);
          failIfStopped(node);
        }
        stats = workload.stop();
      }
      double workSeconds = (System.nanoTime() - started) / 1e9;
      out.println();
      out.println("workload stopped; waiting for the replica to catch up...");
      out.flush();
      awaitCaughtUp(node, Duration.ofSeconds(300), "the replica");
      checker.interrupt();
      checker.join();
      NodeStatus last = node.status();
      progress(last, stats.committed(), workSeconds, true); // the last line agrees with the summary
      return report(stats, workSeconds, last, expectedTotal);
    }
  }

  private void awaitCaughtUp(FerryNode node, Duration timeout, String what)
      throws InterruptedException, java.io.IOException {
    if (!node.awaitCaughtUp(timeout)) {
      failIfStopped(node);
      throw new CliException(what + " did not catch up within " + timeout.toSeconds() + " s");
    }
  }

  private static void failIfStopped(FerryNode node) {
    if (node.captureFailure().isPresent()) {
      throw new CliException("capture stopped: " + node.captureFailure().get().getMessage());
    }
    NodeStatus s = node.status();
    for (NodeStatus.Replica r : s.replicas()) {
      if (r.state() == ReplicaState.FAILED) {
        throw new CliException("replica " + r.name() + " stopped: " + r.lastError().orElse("?"));
      }
    }
  }

  /**
   * One progress line. Captured and applied are journal transactions (GTID sequences), so they
   * compare with each other and with the summary; the workload counts source transactions.
   */
  private void progress(NodeStatus s, long committed, double elapsed, boolean last) {
    NodeStatus.Replica r = s.replicas().getFirst();
    maxLagSeconds = Math.max(maxLagSeconds, r.lag().seconds());
    maxLagTransactions = Math.max(maxLagTransactions, r.lag().transactions());
    long applied = sequence(r.appliedGtid());
    // The journal's head is read before the replica: what the replica applied was journaled.
    long captured = Math.max(sequence(s.journal().lastGtid()), applied);
    String line = String.format(Locale.ROOT,
        "%5.1f s  workload %7d tx  journal %6d tx  applied %6d  lag %4d tx / %.3f s  balance checks %d %s",
        elapsed, committed, captured, applied, captured - applied, r.lag().seconds(), balanceChecks.get(),
        balanceViolation.get() == null ? "ok" : "VIOLATED");
    PrintWriter out = settings.out();
    if (System.console() != null) {
      out.print("\r" + line + (last ? "\n" : ""));
    } else if (last || (long) (elapsed * 2) % 10 == 0) {
      out.println(line);
    }
    out.flush();
  }

  private static long sequence(java.util.Optional<dev.ferry.journal.model.Gtid> gtid) {
    return gtid.map(dev.ferry.journal.model.Gtid::seq).orElse(0L);
  }

  /** On the replica, the sum of balances must be the bank's total at every moment. */
  private void checkBalance(long expected) {
    try (Connection replica = connect(replicaUrl)) {
      while (!Thread.currentThread().isInterrupted()) {
        long total = BankWorkload.totalBalance(replica);
        balanceChecks.incrementAndGet();
        if (total != expected) {
          balanceViolation.compareAndSet(null, "replica total balance " + total + ", expected " + expected);
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (SQLException e) {
      balanceViolation.compareAndSet(null, "reading the replica failed: " + e.getMessage());
    }
  }

  private int report(WorkloadRunner.Stats stats, double workSeconds, NodeStatus last, long expectedTotal)
      throws SQLException {
    PrintWriter out = settings.out();
    Map<String, TableDigest> primary;
    Map<String, TableDigest> replica;
    try (Connection p = connect(primaryUrl); Connection r = connect(replicaUrl)) {
      primary = TableDigest.ofAll(p, BankWorkload.TABLES);
      replica = TableDigest.ofAll(r, BankWorkload.TABLES);
      checkTotal(r, expectedTotal);
    }
    List<String> differ = new ArrayList<>();
    out.println();
    out.printf("%-10s %10s %10s  %-32s %s%n", "TABLE", "PRIMARY", "REPLICA", "DIGEST", "");
    for (String t : BankWorkload.TABLES) {
      TableDigest a = primary.get(t);
      TableDigest b = replica.get(t);
      boolean same = a.equals(new TableDigest(t, b.rows(), b.hash()));
      if (!same) {
        differ.add(t);
      }
      out.printf("%-10s %10d %10d  %-32s %s%n", t, a.rows(), b.rows(), a.hash(), same ? "match" : "DIFFERS: " + b.hash());
    }
    NodeStatus.Replica r = last.replicas().getFirst();
    out.println();
    out.printf(Locale.ROOT, "workload: %d transactions committed (%d rolled back) in %.1f s, %.0f tx/s%n",
        stats.committed(), stats.rolledBack(), workSeconds, stats.committed() / workSeconds);
    out.printf(Locale.ROOT, "journal:  %d transactions, last GTID %s (%s)%n", sequence(last.journal().lastGtid()),
        last.journal().lastGtid().map(Object::toString).orElse("-"), primaryUrl.startsWith("jdbc:sqlite:")
            ? "SQLite capture journals the transactions committed between two polls as one, so fewer than committed"
            : "one per source transaction, the initial load's included");
    out.printf(Locale.ROOT, "replica:  applied through %s, largest lag seen %d journal tx / %.3f s%n",
        r.appliedGtid().map(Object::toString).orElse("-"), maxLagTransactions, maxLagSeconds);
    out.printf(Locale.ROOT, "balance:  %d checks on the replica during the run, %s%n", balanceChecks.get(),
        balanceViolation.get() == null ? "total always " + expectedTotal : balanceViolation.get());
    boolean ok = differ.isEmpty() && balanceViolation.get() == null;
    out.println(ok ? "OK: the replica equals the primary." : "FAILED: " + (differ.isEmpty() ? ""
        : "tables differ: " + differ + ". ") + (balanceViolation.get() == null ? "" : balanceViolation.get()));
    out.flush();
    return ok ? 0 : 1;
  }

  private void checkTotal(Connection replica, long expected) throws SQLException {
    long total = BankWorkload.totalBalance(replica);
    if (total != expected) {
      balanceViolation.compareAndSet(null, "final replica total balance " + total + ", expected " + expected);
    }
  }

  /** A connection; SQLite ones wait for the write lock instead of failing at once. */
  static Connection connect(String url) throws SQLException {
    Connection c = DriverManager.getConnection(url);
    if (url.startsWith("jdbc:sqlite:")) {
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA busy_timeout = 30000");
      }
    }
    return c;
  }
}
