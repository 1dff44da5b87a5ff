package dev.ferry.sql;

import java.sql.SQLException;

/**
 * MariaDB's errors by SQLSTATE and, where MariaDB gives a general SQLSTATE ({@code HY000}), by its
 * vendor error code ({@link SQLException#getErrorCode()}): class 08, 1040 too many connections,
 * 1053 server shutdown, 1927 connection killed and the client's 2002/2003/2006/2013 (cannot
 * connect, server gone, lost during a query) mean the connection is lost or cannot be had now;
 * 1213 deadlock ({@code 40001}) and 1205 lock wait timeout are retryable; class 23 (1062 duplicate
 * key, 1451/1452 foreign key, 1048 NULL) is a constraint; 1146 no such table is an undefined object.
 */
public final class MariaDbErrors implements SqlErrorClassifier {
  /** The one instance. */
  public static final MariaDbErrors INSTANCE = new MariaDbErrors();

  private MariaDbErrors() {
  }

  @Override
  public SqlErrorKind classifyOne(SQLException error) {
    String state = error.getSQLState();
    if (state != null && state.startsWith("08")) {
      return SqlErrorKind.CONNECTION_LOST;
    }
    if (state != null && state.startsWith("23")) {
      return SqlErrorKind.CONSTRAINT;
    }
    if ("40001".equals(state)) {
      return SqlErrorKind.RETRYABLE;
    }
    return switch (error.getErrorCode()) {
      case 1040, 1053, 1927, 2002, 2003, 2006, 2013 -> SqlErrorKind.CONNECTION_LOST;
      case 1205, 1213 -> SqlErrorKind.RETRYABLE;
      case 1146 -> SqlErrorKind.UNDEFINED_OBJECT;
      default -> SqlErrorKind.FATAL;
    };
  }
}
