package dev.ferry.capture.binlog;

import static dev.ferry.capture.binlog.Binlogs.awaitFailure;
import static dev.ferry.capture.binlog.Binlogs.awaitGtid;
import static dev.ferry.capture.binlog.Binlogs.exec;
import static dev.ferry.capture.binlog.Binlogs.gtidBinlogPos;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.capture.Capture;
import dev.ferry.capture.JournalSink;
import dev.ferry.capture.MemorySink;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import dev.ferry.testkit.MariaDbServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where binlog capture resumes: from the journal's last MariaDB GTID (nothing twice, nothing
 * skipped), an ALTER TABLE read from the catalog, and a purged position refused naming its GTID.
 */
@Timeout(180)
class MariaDbResumeTest {
  @TempDir Path dir;

  @Test
  void resumesFromTheJournalsLastGtidAcrossRestartsWithoutDuplicates() throws Exception {
    try (MariaDbServer server = MariaDbServer.start();
        Journal journal = Journal.open(JournalConfig.defaults(dir.resolve("journal")))) {
      String url = server.createDatabase("app");
      try (Connection c = server.connect("app")) {
        exec(c, "CREATE TABLE t (id INT PRIMARY KEY, v BIGINT)");
        int next = 0;
        for (int round = 0; round < 3; round++) {
          try (Capture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url), new JournalSink(journal))) {
            assertThat(capture.awaitStreaming(Duration.ofSeconds(30))).isTrue();
            for (int i = 0; i < 20; i++, next++) {
              exec(c, "INSERT INTO t VALUES (" + next + ", " + next * 7 + ")");
            }
            awaitDurable(capture, gtidBinlogPos(c));
          }
          for (int i = 0; i < 5; i++, next++) { // written while capture is down
            exec(c, "INSERT INTO t VALUES (" + next + ", 0)");
          }
        }
        try (Capture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url), new JournalSink(journal))) {
          awaitDurable(capture, gtidBinlogPos(c));
        }
        List<JournalTransaction> all = read(journal);
        List<Long> seqs = all.stream().map(t -> t.gtid().seq()).toList();
        assertThat(seqs).doesNotHaveDuplicates().isSorted();
        List<Integer> ids = new ArrayList<>();
        for (JournalTransaction t : all) {
          for (Change ch : t.toTransaction().changes()) {
            ids.add((int) ((dev.ferry.journal.model.Value.Int64) ((Change.Insert) ch).row().get(0)).value());
          }
        }
        assertThat(ids).as("every row once, in order").isEqualTo(java.util.stream.IntStream.range(0, next).boxed()
            .toList());
        assertThat(all.get(all.size() - 1).gtid().toString()).isEqualTo(gtidBinlogPos(c));
      }
    }
  }

  @Test
  void dropsWhatTheSinkHoldsAndFollowsAlterTable() throws Exception {
    try (MariaDbServer server = MariaDbServer.start()) {
      String url = server.createDatabase("app");
      try (Connection c = server.connect("app")) {
        exec(c, "CREATE TABLE t (id INT PRIMARY KEY)");
        String start = gtidBinlogPos(c);
        MemorySink first = new MemorySink();
        try (Capture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url), first)) {
          assertThat(capture.awaitStreaming(Duration.ofSeconds(30))).isTrue();
          exec(c, "INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)", "ALTER TABLE t ADD COLUMN v VARCHAR(5)",
              "INSERT INTO t VALUES (3, 'x')", "TRUNCATE TABLE t",
              "CREATE INDEX t_v ON app.t (v)");
          awaitGtid(first, gtidBinlogPos(c), Duration.ofSeconds(30));
        }
        List<Transaction> got = first.transactions();
        assertThat(got).hasSize(6);
        assertThat(((Change.Ddl) got.get(5).changes().get(0)).command()).isEqualTo("CREATE INDEX t_v ON app.t (v)");
        Change.Ddl ddl = (Change.Ddl) got.get(2).changes().get(0);
        assertThat(ddl.command()).isEqualTo("ALTER TABLE t ADD COLUMN v VARCHAR(5)");
        assertThat(ddl.replayable()).isFalse();
        assertThat(got.get(2).schemaSequence()).isEqualTo(1);
        assertThat(((Change.Insert) got.get(3).changes().get(0)).columns()).extracting(col -> col.name())
            .containsExactly("id", "v");
        assertThat(got.get(4).changes().get(0)).isInstanceOf(Change.Truncate.class);
        assertThat(start).isNotEqualTo(got.get(0).gtid().toString());

        // A sink that already holds the first two: capture resumes after them, with their schema sequence.
        MemorySink second = new MemorySink(got.subList(0, 2));
        try (Capture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url), second)) {
          exec(c, "INSERT INTO t VALUES (4, 'y')");
          awaitGtid(second, gtidBinlogPos(c), Duration.ofSeconds(30));
        }
        List<Gtid> resumed = second.transactions().stream().map(Transaction::gtid).toList();
        assertThat(resumed).doesNotHaveDuplicates().hasSize(7);
        assertThat(resumed.subList(0, 6)).isEqualTo(got.stream().map(Transaction::gtid).toList());
      }
    }
  }

  @Test
  void readsARowWrittenBeforeAnAlterTableByTheColumnsItsTableMapNames() throws Exception {
    try (MariaDbServer server = MariaDbServer.start()) { // binlog_row_metadata=FULL, as the kit starts it
      String url = server.createDatabase("app");
      try (Connection c = server.connect("app")) {
        exec(c, "CREATE TABLE t (id INT PRIMARY KEY, n INT)");
        MemorySink first = new MemorySink();
        try (Capture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url), first)) {
          assertThat(capture.awaitStreaming(Duration.ofSeconds(30))).isTrue();
          exec(c, "INSERT INTO t VALUES (1, 10)");
          awaitGtid(first, gtidBinlogPos(c), Duration.ofSeconds(30));
        }
        // Capture is stopped across the ALTER: it reads the row before it with the catalog after it.
        exec(c, "INSERT INTO t VALUES (2, 20)", "ALTER TABLE t ADD COLUMN v VARCHAR(5)", "INSERT INTO t VALUES (3, 30, 'x')");
        MemorySink second = new MemorySink(first.transactions());
        try (Capture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url), second)) {
          awaitGtid(second, gtidBinlogPos(c), Duration.ofSeconds(30));
        }
        List<Transaction> resumed = second.transactions();
        Change.Insert before = (Change.Insert) resumed.get(resumed.size() - 3).changes().get(0);
        assertThat(before.columns()).extracting(col -> col.name()).containsExactly("id", "n");
        assertThat(before.row()).containsExactly(new Value.Int64(2), new Value.Int64(20));
        Change.Insert after = (Change.Insert) resumed.getLast().changes().get(0);
        assertThat(after.columns()).extracting(col -> col.name()).containsExactly("id", "n", "v");
        assertThat(after.row()).containsExactly(new Value.Int64(3), new Value.Int64(30), new Value.Text("x"));
      }
    }
  }

  @Test
  void resumesEachGtidDomainWhereTheJournalEnds() throws Exception {
    try (MariaDbServer server = MariaDbServer.start()) {
      String url = server.createDatabase("app");
      try (Connection c = server.connect("app")) {
        exec(c, "CREATE TABLE t (id INT PRIMARY KEY)");
        MemorySink first = new MemorySink();
        try (Capture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url), first)) {
          assertThat(capture.awaitStreaming(Duration.ofSeconds(30))).isTrue();
          exec(c, "INSERT INTO t VALUES (1)", "SET SESSION gtid_domain_id = 5", "INSERT INTO t VALUES (2)",
              "SET SESSION gtid_domain_id = 0", "INSERT INTO t VALUES (3)");
          awaitCount(first, 3);
        }
        Transaction last = first.transactions().getLast();
        exec(c, "SET SESSION gtid_domain_id = 5", "INSERT INTO t VALUES (4)", "SET SESSION gtid_seq_no = 900",
            "INSERT INTO t VALUES (5)", "SET SESSION gtid_domain_id = 0", "INSERT INTO t VALUES (6)");
        MemorySink second = new MemorySink(List.of(last));
        try (Capture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url), second)) {
          awaitCount(second, 4);
          Thread.sleep(300); // nothing more may come: a re-read of domain 5 would show here
        }
        List<String> resumed = second.transactions().stream().skip(1).map(t -> t.gtid().toString()).toList();
        String[] pos = gtidBinlogPos(c).split(",");
        assertThat(resumed).hasSize(3).endsWith(pos[0]).contains(pos[1]).contains("5-" + server.serverId() + "-900");
        assertThat(resumed.get(0)).startsWith("5-" + server.serverId() + "-");
      }
    }
  }

  private static void awaitCount(MemorySink sink, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (sink.transactions().size() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(sink.transactions()).hasSize(n);
  }

  @Test
  void refusesAPurgedPositionNamingItsGtid() throws Exception {
    try (MariaDbServer server = MariaDbServer.start()) {
      String url = server.createDatabase("app");
      try (Connection c = server.connect("app")) {
        exec(c, "CREATE TABLE t (id INT PRIMARY KEY)");
        MemorySink sink = new MemorySink();
        try (Capture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url), sink)) {
          exec(c, "INSERT INTO t VALUES (1)");
          awaitGtid(sink, gtidBinlogPos(c), Duration.ofSeconds(30));
        }
        Transaction last = sink.transactions().get(0);
        exec(c, "INSERT INTO t VALUES (2)", "FLUSH BINARY LOGS", "INSERT INTO t VALUES (3)");
        purgeAllBut(c, currentBinlog(c));
        try (Capture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url), new MemorySink(List.of(last)))) {
          assertThat(awaitFailure(capture, Duration.ofSeconds(30))).extracting(Throwable::getMessage).asString()
              .contains("position " + last.gtid() + " is no longer on the server").contains("re-initialise");
        }
      }
    }
  }

  /** Purges the older binlogs; a file the closed capture's dump thread still reads is purged once it is gone. */
  private static void purgeAllBut(Connection c, String current) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      exec(c, "PURGE BINARY LOGS TO '" + current + "'");
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW BINARY LOGS")) {
        rs.next();
        if (rs.getString(1).equals(current)) {
          return;
        }
      }
      assertThat(System.nanoTime()).as("binlogs before %s purged", current).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static String currentBinlog(Connection c) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void awaitDurable(Capture capture, String gtid) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!capture.confirmedPosition().equals(Optional.of(gtid))) {
      assertThat(capture.failure()).isEmpty();
      assertThat(System.nanoTime()).as("journaled up to %s, at %s", gtid, capture.confirmedPosition())
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static List<JournalTransaction> read(Journal journal) throws Exception {
    List<JournalTransaction> out = new ArrayList<>();
    try (JournalReader reader = journal.readerAt(JournalPosition.startOf(1))) {
      Optional<JournalTransaction> tx;
      while ((tx = reader.next(Duration.ZERO)).isPresent()) {
        out.add(tx.get());
      }
    }
    return out;
  }
}
