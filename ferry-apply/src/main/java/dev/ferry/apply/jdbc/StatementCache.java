package dev.ferry.apply.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prepared statements of one connection, keyed by their SQL text — which the applier derives from
 * (table, operation, column set), so the key is exactly that triple. Least recently used
 * statements are closed beyond {@code capacity}. Not thread-safe: one applier thread.
 */
final class StatementCache implements AutoCloseable {
  private final int capacity;
  private final LinkedHashMap<String, PreparedStatement> statements;
  private Connection connection;
  private long hits;
  private long misses;

  StatementCache(int capacity) {
    this.capacity = capacity;
    this.statements = new LinkedHashMap<>(16, 0.75f, true);
  }

  /** Uses {@code c} from now on; statements of a previous connection are closed. */
  void bind(Connection c) {
    if (connection != c) {
      close();
      connection = c;
    }
  }

  PreparedStatement get(String sql) throws SQLException {
    PreparedStatement ps = statements.get(sql);
    if (ps != null) {
      hits++;
      return ps;
    }
    misses++;
    ps = connection.prepareStatement(sql);
    statements.put(sql, ps);
    if (statements.size() > capacity) {
      Map.Entry<String, PreparedStatement> eldest = statements.entrySet().iterator().next();
      statements.remove(eldest.getKey());
      closeQuietly(eldest.getValue());
    }
    return ps;
  }

  long hits() {
    return hits;
  }

  long misses() {
    return misses;
  }

  /** Closes every statement (after DDL, which may change what a statement means). */
  @Override
  public void close() {
    statements.values().forEach(StatementCache::closeQuietly);
    statements.clear();
  }

  private static void closeQuietly(PreparedStatement ps) {
    try {
      ps.close();
    } catch (SQLException e) {
      // Closing a statement of a broken connection: nothing to do.
    }
  }
}
