package dev.ferry.apply.dialect.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testkit.SqliteDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SqliteDialect#beginWrite}: one transaction holds the write lock from its start, the ones
 * after it begin deferred again, and a lock not had in time leaves the connection usable.
 */
@Timeout(60)
class SqliteBeginWriteTest {
  @Test
  void holdsTheWriteLockForThatTransactionOnlyAndLetsItReadBeforeItWrites() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.create(); Connection c = db.connect(); Connection other = db.connect()) {
      execute(other, "CREATE TABLE t (id INTEGER PRIMARY KEY)", "PRAGMA busy_timeout = 0");
      c.setAutoCommit(false);
      SqliteDialect.INSTANCE.beginWrite(c);
      assertThat(count(c)).isZero();
      assertThatThrownBy(() -> execute(other, "INSERT INTO t VALUES (1)")).isInstanceOf(SQLException.class)
          .hasMessageContaining("SQLITE_BUSY");
      execute(c, "INSERT INTO t VALUES (2)");
      c.commit();

      assertThat(count(c)).isEqualTo(1); // a deferred transaction: it reads and holds no write lock
      execute(other, "INSERT INTO t VALUES (3)");
      c.rollback();
      assertThat(count(c)).isEqualTo(2);
    }
  }

  @Test
  void aLockNotHadWithinTheBusyTimeoutFailsBusyAndLeavesATransactionToRollBack() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.create(); Connection c = db.connect(); Connection holder = db.connect()) {
      execute(holder, "CREATE TABLE t (id INTEGER PRIMARY KEY)");
      execute(c, "PRAGMA busy_timeout = 100");
      c.setAutoCommit(false);
      holder.setAutoCommit(false);
      execute(holder, "INSERT INTO t VALUES (1)");

      assertThatThrownBy(() -> SqliteDialect.INSTANCE.beginWrite(c)).isInstanceOf(SQLException.class)
          .hasMessageContaining("SQLITE_BUSY");
      c.rollback();
      holder.commit();
      SqliteDialect.INSTANCE.beginWrite(c);
      execute(c, "INSERT INTO t VALUES (2)");
      c.commit();
      assertThat(count(holder)).isEqualTo(2);
    }
  }

  private static long count(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void execute(Connection c, String... sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }
}
