package dev.ferry.sql;

import java.io.IOException;
import java.sql.SQLException;

/**
 * PostgreSQL's errors by SQLSTATE (Appendix A of its documentation): class 08 (connection
 * exception), 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 57P05 idle
 * session timeout and 53300 too many connections mean the connection is lost or cannot be had
 * now; 40001 serialization failure, 40P01 deadlock and 55P03 lock not available are retryable;
 * class 23 is a constraint. pgjdbc raises I/O failures of a replication stream without a
 * SQLSTATE, with the {@link IOException} as the cause: a lost connection too.
 */
public final class PostgresErrors implements SqlErrorClassifier {
  /** The one instance. */
  public static final PostgresErrors INSTANCE = new PostgresErrors();

  private PostgresErrors() {
  }

  @Override
  public SqlErrorKind classifyOne(SQLException error) {
    String state = error.getSQLState();
    if (state == null) {
      return error.getCause() instanceof IOException ? SqlErrorKind.CONNECTION_LOST : SqlErrorKind.FATAL;
    }
    if (state.startsWith("08")) {
      return SqlErrorKind.CONNECTION_LOST;
    }
    if (state.startsWith("23")) {
      return SqlErrorKind.CONSTRAINT;
    }
    return switch (state) {
      case "57P01", "57P02", "57P03", "57P05", "53300" -> SqlErrorKind.CONNECTION_LOST;
      case "40001", "40P01", "55P03" -> SqlErrorKind.RETRYABLE;
      case "55006" -> SqlErrorKind.OBJECT_IN_USE;
      case "42704" -> SqlErrorKind.UNDEFINED_OBJECT;
      default -> SqlErrorKind.FATAL;
    };
  }
}
