package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testkit.MariaDbServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry promote} of a replica node whose target is MariaDB, through real processes: A (a
 * MariaDB source, an {@code AUTO_INCREMENT} table) serves its journal over HTTP to replica node B,
 * whose MariaDB target is read-only (the server's {@code read_only}). A hands out more ids after
 * the last transaction B received, one of them consumed by a rolled-back insert, then its node
 * dies; B is promoted: the target's {@code AUTO_INCREMENT} is raised to B's highest id plus the
 * gap, {@code read_only} is lifted, and an application user's insert gets an id above every id A
 * handed out.
 */
@Timeout(300)
class MariaDbPromoteAutoIncrementTest {
  private static final long GAP = 10_000;

  @TempDir Path dir;

  @Test
  void thePromotedMariaDbTargetIsWritableAndItsFirstIdIsAboveTheOldMaximumPlusTheGap() throws Exception {
    try (MariaDbServer ma = MariaDbServer.start(); MariaDbServer mb = MariaDbServer.start();
        FerryCli cli = new FerryCli(dir)) {
      String a = ma.createDatabase("app");
      String b = mb.createDatabase("app");
      for (String url : new String[] {a, b}) {
        Sql.execute(url, "CREATE TABLE items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, v VARCHAR(64) NOT NULL)"
            + " ENGINE=InnoDB");
      }
      Sql.execute(b, "CREATE USER app@'127.0.0.1'", "GRANT ALL ON app.* TO app@'127.0.0.1'");
      String bAsApp = b.replace("user=root", "user=app");
      PromotePair nodes = PromotePair.write(dir, a, b, "maria\n    mode: read-only");
      Process[] runs = nodes.startAndReplicate(cli);
      Process pa = runs[0];
      Process pb = runs[1];
      assertThat(Sql.scalar(b, "SELECT @@GLOBAL.read_only")).as("B's target is read-only").isEqualTo("1");
      assertThatThrownBy(() -> Sql.execute(bAsApp, "INSERT INTO items (v) VALUES ('refused')"))
          .hasMessageContaining("--read-only option");
      assertThat(FerryCli.terminate(pb, Duration.ofSeconds(90))).isZero();
      for (int i = 0; i < 5; i++) {
        Sql.execute(a, "INSERT INTO items (v) VALUES ('never shipped " + i + "')"); // ids B never sees
      }
      try (Connection c = DriverManager.getConnection(a); Statement st = c.createStatement()) {
        c.setAutoCommit(false);
        st.execute("INSERT INTO items (v) VALUES ('rolled back')"); // consumes an id nobody sees
        c.rollback();
      }
      FerryCli.kill9(pa);
      long oldMax = Long.parseLong(Sql.scalar(b, "SELECT max(id) FROM items"));
      long handedOutByA = Long.parseLong(Sql.scalar(a, "SELECT AUTO_INCREMENT - 1 FROM information_schema.TABLES"
          + " WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = 'items'"));
      assertThat(handedOutByA).as("the rolled-back id").isEqualTo(Long.parseLong(Sql.scalar(a,
          "SELECT max(id) FROM items")) + 1).isGreaterThan(oldMax);

      FerryCli.Result done = cli.run(Duration.ofMinutes(3), "promote", "-c", nodes.b().toString());
      assertThat(done.exitCode()).as(done.all()).isZero();
      assertThat(done.all()).contains("AUTOINCREMENT counters raised by " + GAP + ": [items=" + (oldMax + GAP) + "]");
      assertThat(Sql.scalar(b, "SELECT @@GLOBAL.read_only")).as("read_only lifted").isEqualTo("0");
      Sql.execute(bAsApp, "INSERT INTO items (v) VALUES ('on b')");
      long fresh = Long.parseLong(Sql.scalar(b, "SELECT max(id) FROM items"));
      assertThat(fresh).as("B's first id after promotion; B had up to %d, A handed out up to %d", oldMax,
          handedOutByA).isEqualTo(oldMax + GAP + 1).isGreaterThan(handedOutByA);
    }
  }
}
