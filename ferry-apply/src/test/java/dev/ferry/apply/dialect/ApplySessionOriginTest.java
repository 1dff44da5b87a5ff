package dev.ferry.apply.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.PostgresClusterExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link Dialect#markApplySession} on PostgreSQL: each concurrent apply session of one journal
 * takes its own replication origin (one origin is active in one session at a time), a role granted
 * the documented functions may, and a role that may not use origins applies unmarked instead of
 * failing. Origins are cluster-wide: each test uses its own journal name.
 */
@Timeout(120)
class ApplySessionOriginTest {
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  @Test
  void concurrentApplySessionsOfOneJournalTakeOneOriginEach() throws Exception {
    String url = postgres.cluster().createDatabase("origins");
    List<Connection> sessions = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Connection c = DriverManager.getConnection(url);
        sessions.add(c);
        Dialect.of(c).markApplySession(c, "6f1c-Journal", "r1");
        assertThat(scalar(c, "SELECT pg_replication_origin_session_is_setup()")).isEqualTo("t");
      }
      assertThat(scalar(sessions.get(0), "SELECT string_agg(roname, ',' ORDER BY roname) FROM pg_replication_origin "
          + "WHERE roname LIKE 'ferry_6f1c%'"))
          .isEqualTo("ferry_6f1c_journal_0,ferry_6f1c_journal_1,ferry_6f1c_journal_2");
    } finally {
      for (Connection c : sessions) {
        c.close();
      }
    }
    try (Connection again = DriverManager.getConnection(url)) {
      Dialect.of(again).markApplySession(again, "6f1c-Journal", "r1");
      assertThat(scalar(again, "SELECT count(*) FROM pg_replication_origin WHERE roname LIKE 'ferry_6f1c%'")).as("a freed origin is reused").isEqualTo("3");
    }
  }

  @Test
  void aRoleThatMayNotUseOriginsAppliesUnmarked() throws Exception {
    String url = postgres.cluster().createDatabase("unprivileged");
    try (Connection admin = DriverManager.getConnection(url); Statement st = admin.createStatement()) {
      st.execute("CREATE ROLE plain LOGIN");
    }
    String plainUrl = url.replace("user=postgres", "user=plain");
    try (Connection c = DriverManager.getConnection(plainUrl)) {
      Dialect.of(c).markApplySession(c, "unprivileged-journal", "r2");
    }
    try (Connection admin = DriverManager.getConnection(url)) {
      assertThat(scalar(admin, "SELECT count(*) FROM pg_replication_origin WHERE roname LIKE 'ferry_unprivileged%'"))
          .isEqualTo("0");
    }
  }

  @Test
  void theDocumentedGrantsAreEnoughForARoleThatIsNoSuperuser() throws Exception {
    String url = postgres.cluster().createDatabase("granted");
    try (Connection admin = DriverManager.getConnection(url); Statement st = admin.createStatement()) {
      st.execute("CREATE ROLE granted LOGIN");
      st.execute("GRANT EXECUTE ON FUNCTION pg_replication_origin_create(text), "
          + "pg_replication_origin_session_setup(text) TO granted");
    }
    try (Connection c = DriverManager.getConnection(url.replace("user=postgres", "user=granted"))) {
      Dialect.of(c).markApplySession(c, "granted-journal", "r3");
    }
    try (Connection admin = DriverManager.getConnection(url)) {
      assertThat(scalar(admin, "SELECT string_agg(roname, ',') FROM pg_replication_origin WHERE roname LIKE 'ferry_granted%'"))
          .isEqualTo("ferry_granted_journal_0");
    }
  }

  private static String scalar(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /**
   * PostgreSQL keeps a state for every origin used until it is dropped, max_replication_slots of
   * them: after a reinit (a new journal), the old journal's origins hold them all. The new journal's
   * sessions take idle ones of those instead of failing, and only with every one busy is a session
   * refused, naming the setting.
   */
  @Test
  void whenTheOriginStatesAreHeldByAnOldJournalsOriginsSessionsTakeIdleOnesOfThose() throws Exception {
    try (PostgresCluster small = PostgresCluster.start(Map.of("max_replication_slots", "3"))) {
      String url = small.createDatabase("reinit");
      List<Connection> sessions = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          sessions.add(marked(url, "old-journal"));
        }
        for (Connection c : sessions) {
          c.close();
        }
        sessions.clear();
        for (int i = 0; i < 3; i++) {
          Connection c = marked(url, "new-journal");
          sessions.add(c);
          assertThat(scalar(c, "SELECT pg_replication_origin_session_is_setup()")).isEqualTo("t");
        }
        assertThat(scalar(sessions.get(0), "SELECT string_agg(o.roname, ',' ORDER BY 1) FROM pg_replication_origin_status s"
            + " JOIN pg_replication_origin o ON o.roident = s.local_id")).as("the old journal's origins, each in use")
            .isEqualTo("ferry_old_journal_0,ferry_old_journal_1,ferry_old_journal_2");
        try (Connection fourth = DriverManager.getConnection(url)) {
          assertThatThrownBy(() -> Dialect.of(fourth).markApplySession(fourth, "new-journal", "r1"))
              .isInstanceOf(SQLException.class)
              .hasMessageContaining("[replica r1]").hasMessageContaining("max_replication_slots")
              .hasMessageContaining("none of Ferry's 3 origins with one is idle");
        }
      } finally {
        for (Connection c : sessions) {
          c.close();
        }
      }
    }
  }

  private static Connection marked(String url, String journal) throws SQLException {
    Connection c = DriverManager.getConnection(url);
    Dialect.of(c).markApplySession(c, journal, "r1");
    return c;
  }
}
