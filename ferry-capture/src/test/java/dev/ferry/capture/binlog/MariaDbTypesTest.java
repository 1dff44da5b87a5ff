package dev.ferry.capture.binlog;

import static dev.ferry.capture.binlog.Binlogs.awaitGtid;
import static dev.ferry.capture.binlog.Binlogs.exec;
import static dev.ferry.capture.binlog.Binlogs.gtidBinlogPos;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.capture.CaptureException;
import dev.ferry.capture.MemorySink;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.LogicalType;
import dev.ferry.journal.model.Value;
import dev.ferry.journal.snapshot.SourceTable;
import dev.ferry.testkit.MariaDbServer;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The MariaDB types beyond numbers, dates and text, from a real server's binlog and from a
 * snapshot of the same rows: TIME negative and over 24 hours at every fraction width, YEAR, BIT,
 * ENUM, SET, BINARY(n); and a zero date refused naming table, column and GTID.
 */
@Timeout(120)
class MariaDbTypesTest {
  private static final String TABLE = "CREATE TABLE t (id INT PRIMARY KEY, t0 TIME, t2 TIME(2), t4 TIME(4),"
      + " t6 TIME(6), y YEAR, b1 BIT(1), b64 BIT(64), b10 BIT(10), e ENUM('a','it''s','x,y'), s SET('r','w','x'),"
      + " bn BINARY(4), flag BOOLEAN, j JSON)";
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
  void capturesTimeYearBitEnumSetAndBinaryExactlyAsTheSnapshotReadsThem() throws Exception {
    String url = server.createDatabase("kinds");
    try (Connection c = server.connect("kinds")) {
      exec(c, TABLE);
      MemorySink sink = new MemorySink();
      try (MariaDbCapture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url), sink)) {
        assertThat(capture.awaitStreaming(Duration.ofSeconds(30))).isTrue();
        exec(c, "INSERT INTO t VALUES (1, '-838:59:59', '-00:00:00.01', '-12:30:00.0001', '838:59:58.999999', 1901,"
            + " b'1', b'1111111111111111111111111111111111111111111111111111111111111111', b'0000000101', 'it''s',"
            + " 'r,x', 0x0102, TRUE, '{\"k\": [1, \"😀\"]}'),"
            + " (2, '100:00:00', '00:00:00.5', '-00:00:01.0001', '-838:59:58.999999', 0, b'0', b'0', b'1000000000',"
            + " 'x,y', '', 0x00, FALSE, NULL),"
            + " (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
        exec(c, "UPDATE t SET t0 = '-00:00:01', y = 2155, s = 'w', e = 'a' WHERE id = 2");
        String at = gtidBinlogPos(c);
        List<Change> changes = awaitGtid(sink, at, Duration.ofSeconds(30)).stream()
            .flatMap(tx -> tx.changes().stream()).toList();
        Change.Insert first = (Change.Insert) changes.get(0);
        assertThat(first.row()).containsExactly(new Value.Int64(1), text("-838:59:59"), text("-00:00:00.01"),
            text("-12:30:00.0001"), text("838:59:58.999999"), new Value.Int64(1901), text("1"),
            text("1".repeat(64)), text("0000000101"), text("it's"), text("r,x"),
            new Value.Bytes(new byte[] {1, 2, 0, 0}), new Value.Int64(1), text("{\"k\": [1, \"😀\"]}"));
        assertThat(first.columns().stream().map(col -> col.logicalType()).toList()).containsExactly(
            LogicalType.INT32, LogicalType.TIME, LogicalType.TIME, LogicalType.TIME, LogicalType.TIME,
            LogicalType.INT16, LogicalType.BIT, LogicalType.BIT, LogicalType.BIT, LogicalType.TEXT, LogicalType.TEXT,
            LogicalType.BYTES, LogicalType.INT8, LogicalType.TEXT);
        assertThat(((Change.Insert) changes.get(1)).row()).containsExactly(new Value.Int64(2), text("100:00:00"),
            text("00:00:00.5"), text("-00:00:01.0001"), text("-838:59:58.999999"), new Value.Int64(0), text("0"),
            text("0".repeat(64)), text("1000000000"), text("x,y"), text(""), new Value.Bytes(new byte[4]),
            new Value.Int64(0), Value.NULL);
        Change.Update update = (Change.Update) changes.get(3);
        assertThat(update.row().get(1)).isEqualTo(text("-00:00:01"));
        assertThat(update.row().get(5)).isEqualTo(new Value.Int64(2155));
        assertThat(update.row().get(9)).isEqualTo(text("a"));
        assertThat(update.row().get(10)).isEqualTo(text("w"));
        try (MariaDbSnapshot snapshot = MariaDbSnapshot.create(MariaDbSourceConfig.of("m", url))) {
          SourceTable table = snapshot.tables().get(0);
          List<List<Value>> rows = new ArrayList<>();
          snapshot.read(table, rows::add);
          assertThat(rows).containsExactlyInAnyOrder(first.row(), update.row(),
              ((Change.Insert) changes.get(2)).row());
        }
      }
    }
  }

  @Test
  void refusesAZeroDateNamingTableColumnAndGtid() throws Exception {
    String url = server.createDatabase("zero");
    try (Connection c = server.connect("zero")) {
      exec(c, "CREATE TABLE z (id INT PRIMARY KEY, d DATE)");
      MemorySink sink = new MemorySink();
      try (MariaDbCapture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url), sink)) {
        assertThat(capture.awaitStreaming(Duration.ofSeconds(30))).isTrue();
        exec(c, "SET SESSION sql_mode = ''", "INSERT INTO z VALUES (1, '0000-00-00')");
        String at = gtidBinlogPos(c);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (capture.failure().isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(capture.failure()).get().isInstanceOf(CaptureException.class);
        assertThatThrownBy(() -> {
          throw capture.failure().get();
        }).hasMessageContaining("column z.d in transaction " + at).hasMessageContaining("zero");
        assertThat(sink.transactions()).noneMatch(tx -> tx.gtid().toString().equals(at));
      }
    }
  }

  private static Value text(String s) {
    return new Value.Text(s);
  }
}
