package dev.ferry.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ErrorAdviceTest {
  @TempDir Path dir;

  @Test
  void aSqliteFileThatCannotBeWrittenGetsFileAdviceByItsResultCodeNotItsText() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("app.db");
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    }
    Properties readOnly = new Properties();
    readOnly.setProperty("open_mode", "1");
    SQLException refused;
    try (Connection c = DriverManager.getConnection(url, readOnly); Statement st = c.createStatement()) {
      assertThatThrownBy(() -> st.execute("INSERT INTO t VALUES (1)")).isInstanceOf(SQLException.class);
      refused = catchWrite(st);
    }
    IOException wrapped = new IOException("[replica r1] cannot apply: write refused", refused);
    assertThat(ErrorAdvice.advice(wrapped)).hasValueSatisfying(a -> assertThat(a).contains("must be able to write"));
    SQLException sameTextOtherCode = new SQLException("[SQLITE_READONLY] attempt to write a readonly database", null, 1);
    assertThat(ErrorAdvice.advice(sameTextOtherCode)).isEmpty();
  }

  private static SQLException catchWrite(Statement st) {
    try {
      st.execute("INSERT INTO t VALUES (2)");
      throw new AssertionError("a read-only SQLite connection took a write");
    } catch (SQLException e) {
      return e;
    }
  }
}
