package dev.ferry.sql;

import java.sql.SQLException;

/**
 * SQLite's errors by result code: sqlite-jdbc leaves SQLSTATE empty and reports the (extended)
 * result code in {@link SQLException#getErrorCode()}. {@code SQLITE_BUSY} (5) and {@code
 * SQLITE_LOCKED} (6), with their extended codes, mean another connection holds the file: retryable.
 * Everything else is fatal (a constraint too: no SQLite path replays a constraint row by row).
 */
public final class SqliteErrors implements SqlErrorClassifier {
  /** The one instance. */
  public static final SqliteErrors INSTANCE = new SqliteErrors();

  private static final int SQLITE_BUSY = 5;
  private static final int SQLITE_LOCKED = 6;
  private static final int SQLITE_READONLY = 8;
  private static final int SQLITE_CANTOPEN = 14;
  private static final int PRIMARY_CODE = 0xff;

  private SqliteErrors() {
  }

  @Override
  public SqlErrorKind classifyOne(SQLException error) {
    if (error.getSQLState() != null) {
      return SqlErrorKind.FATAL;
    }
    int code = error.getErrorCode() & PRIMARY_CODE;
    return code == SQLITE_BUSY || code == SQLITE_LOCKED ? SqlErrorKind.RETRYABLE : SqlErrorKind.FATAL;
  }

  /**
   * Whether {@code error} says the database file or the directory it is in cannot be opened or
   * written ({@code SQLITE_CANTOPEN}, {@code SQLITE_READONLY} and their extended codes), which is
   * the user's to fix with file permissions.
   */
  public boolean isFileAccess(SQLException error) {
    if (error.getSQLState() != null) {
      return false;
    }
    int code = error.getErrorCode() & PRIMARY_CODE;
    return code == SQLITE_READONLY || code == SQLITE_CANTOPEN;
  }
}
