package dev.ferry.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ferry.testkit.SqliteDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqliteErrorsTest {
  @ParameterizedTest(name = "code {0} -> {1}")
  @CsvSource({
      "5, RETRYABLE", "6, RETRYABLE", "261, RETRYABLE", "517, RETRYABLE", "262, RETRYABLE",
      "1, FATAL", "19, FATAL", "2067, FATAL", "11, FATAL", "0, FATAL"})
  void classifiesByResultCode(int code, SqlErrorKind kind) {
    assertThat(SqliteErrors.INSTANCE.classify(new SQLException("x", null, code))).isEqualTo(kind);
  }

  @Test
  void aSqlStateIsNotSqlites() {
    assertThat(SqliteErrors.INSTANCE.classify(new SQLException("x", "22P02", 5))).isEqualTo(SqlErrorKind.FATAL);
  }

  @Test
  void aRealBusyFileIsRetryable() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.create(); Connection holder = db.connect();
        Connection other = DriverManager.getConnection(db.jdbcUrl()); Statement st = other.createStatement()) {
      try (Statement h = holder.createStatement()) {
        h.execute("CREATE TABLE busy_probe (id INTEGER PRIMARY KEY)");
        h.execute("BEGIN IMMEDIATE");
        h.execute("INSERT INTO busy_probe VALUES (1)");
      }
      st.execute("PRAGMA busy_timeout=0");
      SQLException e = catchThrowableOfType(SQLException.class, () -> st.execute("INSERT INTO busy_probe VALUES (2)"));
      assertThat((Throwable) e).as("the insert is refused while the other connection writes").isNotNull();
      assertThat(SqliteErrors.INSTANCE.classify(e)).isEqualTo(SqlErrorKind.RETRYABLE);
      assertThat(SqlErrorText.describe(e)).startsWith("[code 5] ");
    }
  }

  @Test
  void aFileThatCannotBeOpenedOrWrittenIsFileAccess() {
    assertThat(SqliteErrors.INSTANCE.isFileAccess(new SQLException("x", null, 8))).isTrue();
    assertThat(SqliteErrors.INSTANCE.isFileAccess(new SQLException("x", null, 14))).isTrue();
    assertThat(SqliteErrors.INSTANCE.isFileAccess(new SQLException("x", null, 1544))).isTrue(); // READONLY_DIRECTORY
    assertThat(SqliteErrors.INSTANCE.isFileAccess(new SQLException("x", null, 5))).isFalse();
    assertThat(SqliteErrors.INSTANCE.isFileAccess(new SQLException("x", "42501", 8))).isFalse();
  }
}
