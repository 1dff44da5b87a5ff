package dev.ferry.capture.binlog;

import static dev.ferry.capture.binlog.Binlogs.awaitGtid;
import static dev.ferry.capture.binlog.Binlogs.exec;
import static dev.ferry.capture.binlog.Binlogs.gtidBinlogPos;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.capture.MemorySink;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.LogicalType;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import dev.ferry.testkit.MariaDbServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Binlog capture from a real MariaDB server: values of every captured type at their limits,
 * multi-row and multi-statement transactions, MariaDB's GTIDs kept (holes too) and equal to the
 * server's {@code @@gtid_binlog_pos}, other databases' transactions journaled empty.
 */
@Timeout(120)
class MariaDbCaptureTest {
  private static MariaDbServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = MariaDbServer.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Test
  void capturesEveryTypeAtItsLimits() throws Exception {
    String url = server.createDatabase("types");
    try (Connection c = server.connect("types")) {
      exec(c, "CREATE TABLE t (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED,"
          + " mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED,"
          + " d DECIMAL(65,30), f FLOAT, db DOUBLE, dt DATE, t6 DATETIME(6), ts TIMESTAMP(6) NULL,"
          + " vc VARCHAR(20), tx TEXT, l1 VARCHAR(10) CHARACTER SET latin1, vb VARBINARY(10), bl BLOB)");
      MemorySink sink = new MemorySink();
      try (MariaDbCapture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url), sink)) {
        assertThat(capture.awaitStreaming(Duration.ofSeconds(30))).isTrue();
        exec(c, "SET time_zone = '+02:00'",
            "INSERT INTO t VALUES (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295,"
            + " -9223372036854775808, 18446744073709551615, -99999999999999999999999999999999999.999999999999999999999999999999,"
            + " -3.40282e38, 1.7976931348623157e308, '1000-01-01', '9999-12-31 23:59:59.999999',"
            + " '2038-01-19 05:14:07.999999', 'ä€😀', REPEAT('x', 3), 'é', 0x00ff, 0x000102)",
            "INSERT INTO t (id) VALUES (2)");
        List<Transaction> all = awaitGtid(sink, gtidBinlogPos(c), Duration.ofSeconds(30));
        List<Change> changes = all.stream().flatMap(tx -> tx.changes().stream()).toList();
        Change.Insert full = (Change.Insert) changes.get(0);
        assertThat(full.table().name()).isEqualTo("t");
        assertThat(full.row()).containsExactly(new Value.Int64(1), new Value.Int64(-128), new Value.Int64(255),
            new Value.Int64(-32768), new Value.Int64(65535), new Value.Int64(-8388608), new Value.Int64(16777215),
            new Value.Int64(-2147483648L), new Value.Int64(4294967295L), new Value.Int64(Long.MIN_VALUE),
            new Value.Text("18446744073709551615"),
            new Value.Text("-99999999999999999999999999999999999.999999999999999999999999999999"),
            new Value.Float64((double) -3.40282e38f), new Value.Float64(1.7976931348623157e308),
            new Value.Text("1000-01-01"), new Value.Text("9999-12-31 23:59:59.999999"),
            // written at +02:00: the instant 03:14:07.999999 UTC
            new Value.Text("2038-01-19 03:14:07.999999+00"), new Value.Text("ä€😀"), new Value.Text("xxx"),
            new Value.Text("é"), new Value.Bytes(new byte[] {0, (byte) 0xff}), new Value.Bytes(new byte[] {0, 1, 2}));
        assertThat(full.columns().stream().map(col -> col.logicalType()).toList()).containsExactly(LogicalType.INT32,
            LogicalType.INT8, LogicalType.UINT8, LogicalType.INT16, LogicalType.UINT16, LogicalType.INT32,
            LogicalType.UINT32, LogicalType.INT32, LogicalType.UINT32, LogicalType.INT64, LogicalType.UINT64,
            LogicalType.DECIMAL, LogicalType.FLOAT32, LogicalType.FLOAT64, LogicalType.DATE, LogicalType.TIMESTAMP,
            LogicalType.TIMESTAMPTZ, LogicalType.TEXT, LogicalType.TEXT, LogicalType.TEXT, LogicalType.BYTES,
            LogicalType.BYTES);
        Change.Insert nulls = (Change.Insert) changes.get(1);
        assertThat(nulls.row().subList(1, nulls.row().size())).allMatch(v -> v.equals(Value.NULL));
        assertThat("ä€😀".getBytes(StandardCharsets.UTF_8)).hasSize(9);
      }
    }
  }

  @Test
  void keepsMariaDbGtidsWithHolesAndGroupsMultiStatementTransactions() throws Exception {
    String url = server.createDatabase("gtids");
    server.createDatabase("other");
    try (Connection c = server.connect("gtids")) {
      exec(c, "CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(10))", "CREATE TABLE o (id INT PRIMARY KEY)",
          "CREATE TABLE other.t0 (id INT)");
      MemorySink sink = new MemorySink();
      try (MariaDbCapture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url)
          .withTables(dev.ferry.journal.model.TableFilter.of(List.of("a"), List.of())), sink)) {
        assertThat(capture.awaitStreaming(Duration.ofSeconds(30))).isTrue();
        String before = gtidBinlogPos(c);
        exec(c, "INSERT INTO a VALUES (1, 'x'), (2, 'y'), (3, 'z')");
        exec(c, "START TRANSACTION", "INSERT INTO a VALUES (4, 'w')", "UPDATE a SET v = 'q' WHERE id <= 2",
            "DELETE FROM a WHERE id = 3", "INSERT INTO o VALUES (1)", "COMMIT");
        exec(c, "SET gtid_seq_no = 1000", "INSERT INTO a VALUES (5, 'hole')");
        exec(c, "INSERT INTO other.t0 VALUES (1)", "INSERT INTO o VALUES (2)");
        String after = gtidBinlogPos(c);
        List<Transaction> all = awaitGtid(sink, after, Duration.ofSeconds(30));
        assertThat(all).hasSize(5);
        long first = Long.parseLong(before.split("-")[2]);
        assertThat(all.stream().map(t -> t.gtid().seq()).toList()).containsExactly(first + 1, first + 2, 1000L, 1001L,
            1002L);
        assertThat(all.get(0).changes()).hasSize(3).allMatch(ch -> ch instanceof Change.Insert);
        assertThat(all.get(1).changes()).hasSize(4);
        assertThat(all.get(1).changes().get(1)).isInstanceOf(Change.Update.class);
        assertThat(all.get(1).changes().get(3)).isInstanceOf(Change.Delete.class);
        assertThat(all.get(3).changes()).as("another database: an empty transaction").isEmpty();
        assertThat(all.get(4).changes()).as("a table the filter leaves out: an empty transaction").isEmpty();
        for (Transaction t : all) {
          assertThat(t.sourcePosition().kind()).isEqualTo(SourcePosition.Kind.BINLOG);
          assertThat(t.sourcePosition().sourceGtid()).contains(t.gtid());
        }
        assertThat(all.get(4).gtid().toString()).isEqualTo(after);
        assertThat(capture.confirmedPosition()).contains(after);
      }
    }
  }

  @Test
  void writesATransactionLargerThanTheChunkSizeInChunks() throws Exception {
    String url = server.createDatabase("large");
    try (Connection c = server.connect("large")) {
      exec(c, "CREATE TABLE big (id INT PRIMARY KEY, v VARCHAR(20))");
      MemorySink sink = new MemorySink();
      try (MariaDbCapture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url).withChunkChanges(100), sink)) {
        assertThat(capture.awaitStreaming(Duration.ofSeconds(30))).isTrue();
        exec(c, "INSERT INTO big SELECT seq, CONCAT('row ', seq) FROM seq_1_to_1000");
        List<Transaction> all = awaitGtid(sink, gtidBinlogPos(c), Duration.ofSeconds(30));
        assertThat(all).hasSize(1);
        assertThat(all.get(0).changes()).hasSize(1000);
        assertThat(((Change.Insert) all.get(0).changes().get(999)).row())
            .containsExactly(new Value.Int64(1000), new Value.Text("row 1000"));
        assertThat(sink.chunks()).isEqualTo(10);
      }
    }
  }

  /**
   * A transaction that writes Ferry's progress table was applied by Ferry (a MariaDB replica's
   * apply commits its progress row with the changes): journaled with its GTID but without its
   * changes, even when its first changes went to the sink as chunks already; with
   * {@code forwardApplied} its changes are captured. Ferry's control tables never are.
   */
  @Test
  void dropsTheChangesOfTransactionsThatWriteFerrysProgressTableUnlessForwarding() throws Exception {
    String url = server.createDatabase("applied");
    try (Connection c = server.connect("applied")) {
      exec(c, "CREATE TABLE items (id INT PRIMARY KEY)",
          "CREATE TABLE ferry_replication_control (source VARCHAR(255) PRIMARY KEY, applied_gtids LONGTEXT NOT NULL)");
      for (boolean forward : List.of(false, true)) {
        int base = forward ? 100 : 0;
        MemorySink sink = new MemorySink();
        try (MariaDbCapture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url).withChunkChanges(2)
            .withForwardApplied(forward), sink)) {
          assertThat(capture.awaitStreaming(Duration.ofSeconds(30))).isTrue();
          exec(c, "START TRANSACTION", "INSERT INTO items VALUES (" + (base + 1) + "), (" + (base + 2) + "), ("
              + (base + 3) + ")", "INSERT INTO ferry_replication_control VALUES ('j" + base + "', '0-1-1')", "COMMIT");
          String applied = gtidBinlogPos(c);
          exec(c, "INSERT INTO items VALUES (" + (base + 10) + ")");
          List<Transaction> all = awaitGtid(sink, gtidBinlogPos(c), Duration.ofSeconds(30));
          Transaction replicated = all.stream().filter(t -> t.gtid().toString().equals(applied)).findFirst()
              .orElseThrow();
          List<Object> ids = replicated.changes().stream().map(ch -> (Object) ((Change.Insert) ch).row().get(0))
              .toList();
          assertThat(ids).as("forward " + forward).isEqualTo(forward
              ? List.of(new Value.Int64(base + 1), new Value.Int64(base + 2), new Value.Int64(base + 3)) : List.of());
          assertThat(all.getLast().changes()).as("a local write").singleElement()
              .satisfies(ch -> assertThat(((Change.Insert) ch).row()).containsExactly(new Value.Int64(base + 10)));
        }
      }
    }
  }

  /**
   * MariaDB commits DDL in a binlog group of its own, without Ferry's progress row: DDL Ferry
   * applied ends with its mark instead, and is journaled empty unless {@code forwardApplied}; the
   * same DDL without the mark (a local one) is captured. {@code DROP TABLE} is the exception: the
   * server writes it anew to the binlog ({@code /* generated by server *\/}), comments dropped, so
   * Ferry's applied {@code DROP TABLE} is captured like a local one (docs/failover.md#loops).
   */
  @Test
  void dropsDdlThatEndsWithFerrysMarkUnlessForwarding() throws Exception {
    String url = server.createDatabase("appliedddl");
    String mark = "\n" + BinlogCatalog.APPLIED_DDL_MARK;
    try (Connection c = server.connect("appliedddl")) {
      for (boolean forward : List.of(false, true)) {
        String t = forward ? "f" : "n";
        MemorySink sink = new MemorySink();
        try (MariaDbCapture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url)
            .withForwardApplied(forward), sink)) {
          assertThat(capture.awaitStreaming(Duration.ofSeconds(30))).isTrue();
          String before = gtidBinlogPos(c);
          exec(c, "CREATE TABLE IF NOT EXISTS " + t + "1 (id INT PRIMARY KEY)" + mark,
              "ALTER TABLE " + t + "1 ADD COLUMN v INT" + mark, "CREATE INDEX " + t + "i ON " + t + "1 (v)" + mark,
              "CREATE TABLE " + t + "2 (id INT PRIMARY KEY)" + mark, "DROP TABLE IF EXISTS " + t + "2" + mark,
              "ALTER TABLE " + t + "1 ADD COLUMN w INT");
          List<Transaction> all = awaitGtid(sink, gtidBinlogPos(c), Duration.ofSeconds(30));
          long first = Long.parseLong(before.split("-")[2]);
          List<Integer> sizes = all.stream().filter(tx -> tx.gtid().seq() > first).map(tx -> tx.changes().size())
              .toList();
          assertThat(sizes).as("forward " + forward).isEqualTo(forward ? List.of(1, 1, 1, 1, 1, 1)
              : List.of(0, 0, 0, 0, 1, 1));
        }
      }
    }
  }
}
