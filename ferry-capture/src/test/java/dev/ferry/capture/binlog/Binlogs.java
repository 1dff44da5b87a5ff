package dev.ferry.capture.binlog;

import dev.ferry.capture.Capture;
import dev.ferry.capture.MemorySink;
import dev.ferry.journal.model.Transaction;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/** Helpers of the binlog capture tests: SQL on a test server, waiting for captured transactions. */
final class Binlogs {
  private Binlogs() {
  }

  static void exec(Connection c, String... sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  static String gtidBinlogPos(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT @@gtid_binlog_pos")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Waits until the sink holds a transaction whose source GTID is {@code gtid}; returns all it holds. */
  static List<Transaction> awaitGtid(MemorySink sink, String gtid, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      List<Transaction> all = sink.transactions();
      if (all.stream().anyMatch(t -> t.gtid().toString().equals(gtid))) {
        return all;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no transaction " + gtid + " captured within " + timeout + "; got "
        + sink.transactions().stream().map(t -> t.gtid().toString()).toList());
  }

  /** Waits until {@code capture} has failed; returns why. */
  static Exception awaitFailure(Capture capture, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (capture.failure().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return capture.failure().orElseThrow(() -> new AssertionError("capture did not fail within " + timeout));
  }
}
