package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status file only reports: when it cannot be written (here its directory is a regular file;
 * in a full verify, a journal copy's first recovery removed the node's half-written
 * {@code status.json.tmp} under it), {@code ferry run} warns once and goes on replicating, instead
 * of stopping the node.
 */
@Timeout(180)
class StatusWriteFailureTest {
  @TempDir Path dir;

  @Test
  void aStatusFileThatCannotBeWrittenIsAWarningAndReplicationGoesOn() throws Exception {
    String source = "jdbc:sqlite:" + dir.resolve("source.db");
    String replica = "jdbc:sqlite:" + dir.resolve("replica.db");
    try (Connection c = DriverManager.getConnection(source); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT)");
      st.execute("INSERT INTO items VALUES (1, 'before')");
    }
    Path notADirectory = Files.writeString(dir.resolve("not-a-directory"), "x");
    Path config = Files.writeString(dir.resolve("ferry.yaml"), FerryYaml.source(source, dir.resolve("journal"))
        .replica("lite", replica).text() + "status:\n  file: " + notADirectory.resolve("status.json") + "\n");
    try (FerryCli cli = new FerryCli(dir)) {
      Path log = dir.resolve("run.log");
      Process run = cli.start(log, "run", "-c", config.toString());
      LogWait.awaitLine(log, "could not write the status file (trying again in a second)", run, Duration.ofSeconds(90));
      try (Connection c = DriverManager.getConnection(source); Statement st = c.createStatement()) {
        st.execute("INSERT INTO items VALUES (2, 'after')");
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (count(replica) < 2) {
        assertThat(run.isAlive()).as("the node runs: %s", Files.readString(log)).isTrue();
        assertThat(System.nanoTime()).as("the row arrives: %s", Files.readString(log)).isLessThan(deadline);
        Thread.sleep(200);
      }
      Thread.sleep(2500); // two more status writes fail
      assertThat(Files.readString(log).split("could not write the status file", -1)).as("warned once").hasSize(2);
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  private static long count(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM items")) {
        rs.next();
        return rs.getLong(1);
      } catch (java.sql.SQLException notYet) { // the seed has not created the table yet
        return 0;
      }
    }
  }
}
