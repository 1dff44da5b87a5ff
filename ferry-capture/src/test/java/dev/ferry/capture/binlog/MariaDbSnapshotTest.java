package dev.ferry.capture.binlog;

import static dev.ferry.capture.binlog.Binlogs.awaitGtid;
import static dev.ferry.capture.binlog.Binlogs.exec;
import static dev.ferry.capture.binlog.Binlogs.gtidBinlogPos;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.capture.MemorySink;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Value;
import dev.ferry.journal.snapshot.SourceTable;
import dev.ferry.testkit.MariaDbServer;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A MariaDB snapshot for a new replica's seed: it stands at the server's GTID when it was taken,
 * does not see later commits, and reads each row as the very values binlog capture gives it.
 */
@Timeout(120)
class MariaDbSnapshotTest {
  @Test
  void readsRowsAsCaptureDoesAtTheGtidItWasTakenAt() throws Exception {
    try (MariaDbServer server = MariaDbServer.start()) {
      String url = server.createDatabase("snap");
      try (Connection c = server.connect("snap")) {
        exec(c, "CREATE TABLE t (id BIGINT UNSIGNED PRIMARY KEY, d DECIMAL(65,30), f FLOAT, dt DATE, t6 DATETIME(6),"
            + " ts TIMESTAMP(6) NULL, tx TEXT, l1 VARCHAR(10) CHARACTER SET latin1, b BLOB, flag BOOLEAN)");
        MemorySink sink = new MemorySink();
        try (MariaDbCapture capture = MariaDbCapture.start(MariaDbSourceConfig.of("m", url), sink)) {
          assertThat(capture.awaitStreaming(Duration.ofSeconds(30))).isTrue();
          exec(c, "INSERT INTO t VALUES (18446744073709551615, 0.000000000000000000000000000001, -305062.03, '1000-01-01',"
              + " '2024-02-29 23:59:59.000001', '2000-01-01 00:00:00.5', 'ä😀', 'é', 0x00ff, TRUE),"
              + " (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
          String at = gtidBinlogPos(c);
          List<Change> captured = awaitGtid(sink, at, Duration.ofSeconds(30)).get(0).changes();
          try (MariaDbSnapshot snapshot = MariaDbSnapshot.create(MariaDbSourceConfig.of("m", url))) {
            exec(c, "INSERT INTO t (id) VALUES (2)"); // after the snapshot: not in it
            assertThat(snapshot.position().sourceGtid().map(Object::toString)).contains(at);
            SourceTable table = snapshot.tables().get(0);
            assertThat(table.primaryKey()).containsExactly("id");
            List<List<Value>> rows = new ArrayList<>();
            assertThat(snapshot.read(table, rows::add)).isEqualTo(2);
            List<List<Value>> streamed = captured.stream().map(ch -> ((Change.Insert) ch).row()).toList();
            assertThat(rows).containsExactlyInAnyOrderElementsOf(streamed);
          }
        }
      }
    }
  }
}
