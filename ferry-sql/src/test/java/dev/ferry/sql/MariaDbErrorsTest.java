package dev.ferry.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ferry.testkit.MariaDbServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MariaDbErrorsTest {
  @ParameterizedTest(name = "{0}/{1} -> {2}")
  @CsvSource({
      "40001, 1213, RETRYABLE", "HY000, 1205, RETRYABLE", "08S01, 0, CONNECTION_LOST", "HY000, 2013, CONNECTION_LOST",
      "70100, 1927, CONNECTION_LOST", "08004, 1040, CONNECTION_LOST", "23000, 1062, CONSTRAINT",
      "23000, 1452, CONSTRAINT", "42S02, 1146, UNDEFINED_OBJECT", "42000, 1064, FATAL", "22001, 1406, FATAL"})
  void classifiesBySqlStateAndVendorCode(String state, int code, SqlErrorKind kind) {
    assertThat(MariaDbErrors.INSTANCE.classify(new SQLException("x", state, code))).isEqualTo(kind);
  }

  @Test
  @Timeout(120)
  void realErrorsOfARealServerAreClassified() throws Exception {
    try (MariaDbServer server = MariaDbServer.start();
        Connection c = DriverManager.getConnection(server.createDatabase("app"));
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(3) NOT NULL)");
      st.execute("INSERT INTO t VALUES (1, 'a')");
      SQLException duplicate = catchThrowableOfType(SQLException.class, () -> st.execute("INSERT INTO t VALUES (1, 'b')"));
      assertThat(MariaDbErrors.INSTANCE.classify(duplicate)).isEqualTo(SqlErrorKind.CONSTRAINT);
      SQLException missing = catchThrowableOfType(SQLException.class, () -> st.execute("SELECT * FROM nope"));
      assertThat(MariaDbErrors.INSTANCE.classify(missing)).isEqualTo(SqlErrorKind.UNDEFINED_OBJECT);
      st.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES'");
      SQLException tooLong = catchThrowableOfType(SQLException.class, () -> st.execute("INSERT INTO t VALUES (2, 'abcd')"));
      assertThat(MariaDbErrors.INSTANCE.classify(tooLong)).isEqualTo(SqlErrorKind.FATAL);
      try (Connection victim = DriverManager.getConnection(server.jdbcUrl("app")); Statement v = victim.createStatement()) {
        long id;
        try (var rs = v.executeQuery("SELECT CONNECTION_ID()")) {
          rs.next();
          id = rs.getLong(1);
        }
        st.execute("KILL " + id);
        SQLException lost = catchThrowableOfType(SQLException.class, () -> v.executeQuery("SELECT 1"));
        assertThat(MariaDbErrors.INSTANCE.classify(lost)).isEqualTo(SqlErrorKind.CONNECTION_LOST);
      }
    }
  }
}
