package dev.ferry.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ferry.testkit.PostgresClusterExtension;
import java.io.IOException;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PostgresErrorsTest {
  @RegisterExtension
  static final PostgresClusterExtension POSTGRES = new PostgresClusterExtension();

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "08000, CONNECTION_LOST", "08003, CONNECTION_LOST", "08006, CONNECTION_LOST", "08001, CONNECTION_LOST",
      "57P01, CONNECTION_LOST", "57P02, CONNECTION_LOST", "57P03, CONNECTION_LOST", "57P05, CONNECTION_LOST",
      "53300, CONNECTION_LOST",
      "40001, RETRYABLE", "40P01, RETRYABLE", "55P03, RETRYABLE",
      "23505, CONSTRAINT", "23503, CONSTRAINT", "23502, CONSTRAINT",
      "55006, OBJECT_IN_USE", "42704, UNDEFINED_OBJECT",
      "57P04, FATAL", "57014, FATAL", "42P01, FATAL", "42501, FATAL", "22P02, FATAL", "XX000, FATAL"})
  void classifiesBySqlState(String state, SqlErrorKind kind) {
    assertThat(PostgresErrors.INSTANCE.classify(new SQLException("x", state))).isEqualTo(kind);
  }

  @Test
  void jdbcConnectionExceptionsAreALostConnectionForEveryDatabase() {
    for (SqlErrorClassifier errors : new SqlErrorClassifier[] {PostgresErrors.INSTANCE, SqliteErrors.INSTANCE}) {
      assertThat(errors.classify(new SQLNonTransientConnectionException("aborted"))).isEqualTo(SqlErrorKind.CONNECTION_LOST);
      assertThat(errors.classify(new SQLTransientConnectionException("refused"))).isEqualTo(SqlErrorKind.CONNECTION_LOST);
    }
  }

  @Test
  void anErrorWithoutStateIsALostConnectionOnlyWhenItsCauseIsIo() {
    assertThat(PostgresErrors.INSTANCE.classify(new SQLException("x"))).isEqualTo(SqlErrorKind.FATAL);
    assertThat(PostgresErrors.INSTANCE.classify(new SQLException("stream broke", new IOException("reset"))))
        .isEqualTo(SqlErrorKind.CONNECTION_LOST);
  }

  @Test
  void looksThroughBatchExceptionsToTheCause() {
    BatchUpdateException batch = new BatchUpdateException("batch entry 3 failed", "XX000", new int[0]);
    batch.setNextException(new SQLException("deadlock detected", "40P01"));
    assertThat(PostgresErrors.INSTANCE.classify(batch)).isEqualTo(SqlErrorKind.RETRYABLE);
    assertThat(SqlErrorText.describe(batch)).isEqualTo("[40P01] deadlock detected");
  }

  @Test
  void aRealUniqueViolationIsAConstraint() throws SQLException {
    try (Connection c = POSTGRES.cluster().connect(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE unique_probe (id int PRIMARY KEY)");
      st.execute("INSERT INTO unique_probe VALUES (1)");
      SQLException e = catchThrowableOfType(SQLException.class, () -> st.execute("INSERT INTO unique_probe VALUES (1)"));
      assertThat(PostgresErrors.INSTANCE.classify(e)).isEqualTo(SqlErrorKind.CONSTRAINT);
      assertThat(SqlErrorText.describe(e)).startsWith("[23505] ");
    }
  }

  @Test
  void aRealTerminatedSessionIsALostConnection() throws SQLException {
    try (Connection victim = POSTGRES.cluster().connect(); Connection admin = POSTGRES.cluster().connect();
        Statement st = victim.createStatement()) {
      int pid;
      try (var rs = st.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        pid = rs.getInt(1);
      }
      try (Statement kill = admin.createStatement()) {
        kill.execute("SELECT pg_terminate_backend(" + pid + ")");
      }
      SQLException e = catchThrowableOfType(SQLException.class, () -> st.execute("SELECT 1"));
      assertThat(PostgresErrors.INSTANCE.classify(e)).isEqualTo(SqlErrorKind.CONNECTION_LOST);
    }
  }
}
