package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A → B applies; B is itself captured into C. What Ferry applied on B carries a replication origin
 * and is not captured again; a local write on B is. With {@code source.forward-origins: true} the
 * replicated changes are captured too. (MariaDB and SQLite targets: {@code
 * TargetMarksNoReplicationLoopTest}.)
 */
@Timeout(300)
class NoReplicationLoopTest {
  @TempDir Path dir;

  @Test
  void changesAppliedFromAnotherJournalAreNotCapturedAgainButLocalWritesAre() throws Exception {
    assertThat(relay(false, false)).containsExactly(1000);
  }

  /**
   * B's capture streams big transactions in progress ({@code source.streaming: on}, a tiny
   * {@code logical_decoding_work_mem}): a 3,000-row transaction Ferry applied there arrives in
   * stream blocks, its origin in the first, and is not captured either.
   */
  @Test
  void aReplicatedTransactionStreamedInProgressIsNotCapturedAgainEither() throws Exception {
    assertThat(relay(false, true)).containsExactly(1000);
  }

  @Test
  void forwardOriginsCapturesTheAppliedChangesToo() throws Exception {
    assertThat(relay(true, false)).containsExactly(1, 2, 3, 4, 5, 1000);
  }

  /**
   * Runs A → B → C, writes ids 1..5 on A (with {@code streaming}, also 10001..13000 in one
   * transaction, which B's capture streams) and 1000 on B; returns the ids C holds.
   */
  private List<Integer> relay(boolean forward, boolean streaming) throws Exception {
    try (PostgresCluster pg = PostgresCluster.start()) {
      if (streaming) {
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
          st.execute("ALTER SYSTEM SET logical_decoding_work_mem = '64kB'");
          st.execute("SELECT pg_reload_conf()");
        }
      }
      for (String db : List.of("a", "b", "c")) {
        pg.createDatabase(db);
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
          st.execute("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)");
        }
      }
      List<Integer> onC = LoopRelay.relay(dir, pg.jdbcUrl("a"), pg.jdbcUrl("b"), pg.jdbcUrl("c"),
          "  forward-origins: " + forward + "\n  streaming: " + (streaming ? "on" : "off") + "\n", (a, first) -> {
            if (streaming) {
              a.execute("INSERT INTO items SELECT g, repeat('x', 100) FROM generate_series(10001, 13000) g");
            }
          });
      assertThat(LoopRelay.count(pg.jdbcUrl("b"), "SELECT count(*) FROM items")).isEqualTo(streaming ? 3006 : 6);
      return onC;
    }
  }
}
