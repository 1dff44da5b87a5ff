package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.SqliteDatabase;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry promote} of a replica node whose target is a SQLite file, through real processes: A
 * (SQLite, an {@code AUTOINCREMENT} table) serves its journal over HTTP to replica node B. A hands
 * out more ids after the last transaction B received, then dies; B is promoted, and an insert on
 * B's target gets an id above the highest one B had plus the promotion's gap ({@code
 * sqlite_sequence} raised, not only Ferry's own sequence table), so it meets none of A's.
 */
@Timeout(300)
class SqlitePromoteAutoIncrementTest {
  private static final long GAP = 10_000;

  @TempDir Path dir;

  @Test
  void anInsertOnThePromotedSqliteTargetGetsAnIdAboveTheOldMaximumPlusTheGap() throws Exception {
    try (SqliteDatabase la = SqliteDatabase.create(); SqliteDatabase lb = SqliteDatabase.create();
        FerryCli cli = new FerryCli(dir)) {
      String a = la.jdbcUrl();
      String b = lb.jdbcUrl();
      for (String url : new String[] {a, b}) {
        Sql.execute(url, "CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL)");
      }
      PromotePair nodes = PromotePair.write(dir, a, b, "lite");
      Process[] runs = nodes.startAndReplicate(cli);
      Process pa = runs[0];
      Process pb = runs[1];
      assertThat(FerryCli.terminate(pb, Duration.ofSeconds(90))).isZero();
      for (int i = 0; i < 5; i++) {
        Sql.execute(a, "INSERT INTO items (v) VALUES ('never shipped " + i + "')"); // ids B never sees
      }
      FerryCli.kill9(pa);
      long oldMax = Long.parseLong(Sql.scalar(b, "SELECT max(id) FROM items"));
      long handedOutByA = Long.parseLong(Sql.scalar(a, "SELECT seq FROM sqlite_sequence WHERE name = 'items'"));
      assertThat(handedOutByA).isGreaterThan(oldMax);

      FerryCli.Result done = cli.run(Duration.ofMinutes(3), "promote", "-c", nodes.b().toString());
      assertThat(done.exitCode()).as(done.all()).isZero();
      assertThat(done.all()).contains("AUTOINCREMENT counters raised by " + GAP + ": [items=" + (oldMax + GAP) + "]");
      Sql.execute(b, "INSERT INTO items (v) VALUES ('on b')");
      long fresh = Long.parseLong(Sql.scalar(b, "SELECT max(id) FROM items"));
      assertThat(fresh).as("B's first id after promotion; B had up to %d, A handed out up to %d", oldMax,
          handedOutByA).isEqualTo(oldMax + GAP + 1);
    }
  }
}
