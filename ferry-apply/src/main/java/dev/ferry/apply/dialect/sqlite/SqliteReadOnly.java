package dev.ferry.apply.dialect.sqlite;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sqlite.Function;

/**
 * A read-only SQLite replica: guard triggers refuse writes from every connection but Ferry's.
 *
 * <p>SQLite has no roles, so the guard tells Ferry's connections from the others by what only
 * Ferry's have: the SQL function {@value #FUNCTION}() (registered per connection with
 * {@code org.sqlite.Function.create}; it returns 1) and a busy timeout of {@value #MARKER_TIMEOUT_MS} ms,
 * the cheap per-row check (looking a function up by name costs ~0.2 ms a row, the timeout a few µs).
 * Each replicated table gets one BEFORE INSERT, UPDATE and DELETE trigger named
 * {@code ferry_read_only_<op>:<table>} that runs {@code SELECT RAISE(ABORT, …)} in any other
 * connection, so a write from the sqlite3 shell or an application fails with a message naming
 * Ferry's read-only mode. A connection can still drop the triggers (whoever may write the file
 * may change its schema): the guard stops mistakes, not an owner.
 *
 * <p>The table {@value #MARKER_TABLE} records that the mode is on, so that tables created later
 * (by replicated DDL or a seed) are guarded too. Stateless.
 */
public final class SqliteReadOnly {
  /** The SQL function only Ferry's connections have. */
  public static final String FUNCTION = "ferry_replication_session";
  /** The busy timeout Ferry's connections use, which the guard checks first. */
  static final int MARKER_TIMEOUT_MS = 10_007;
  static final String MARKER_TABLE = "ferry_read_only";
  private static final String PREFIX = "ferry_read_only_";
  private static final List<String> OPERATIONS = List.of("INSERT", "UPDATE", "DELETE");

  private SqliteReadOnly() {
  }

  /**
   * Marks {@code c} as one of Ferry's connections, which the guard lets write: registers
   * {@value #FUNCTION}() and sets the busy timeout. A no-op on a connection to anything but SQLite.
   */
  public static void markFerrySession(Connection c) throws SQLException {
    if (!c.isWrapperFor(org.sqlite.SQLiteConnection.class)) {
      return;
    }
    Function.create(c.unwrap(org.sqlite.SQLiteConnection.class), FUNCTION, new Function() {
      @Override
      protected void xFunc() throws SQLException {
        result(1);
      }
    });
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout = " + MARKER_TIMEOUT_MS);
      st.execute("PRAGMA trusted_schema = ON"); // the guard reads two pragmas from a trigger
    }
  }

  /** Turns the mode on: records it and guards every table, in one write transaction (autocommit connection). */
  static void enforce(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("BEGIN IMMEDIATE"); // connections opening at once take turns
      try {
        st.execute("CREATE TABLE IF NOT EXISTS " + MARKER_TABLE + " (since TEXT NOT NULL)");
        st.execute("INSERT INTO " + MARKER_TABLE + " SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
            + "WHERE NOT EXISTS (SELECT 1 FROM " + MARKER_TABLE + ")");
        guardNewTables(c);
        st.execute("COMMIT");
      } catch (SQLException e) {
        st.execute("ROLLBACK");
        throw e;
      }
    }
  }

  /** Whether the mode is on for this database. */
  static boolean enforced(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '" + MARKER_TABLE + "'")) {
      return rs.next();
    }
  }

  /**
   * Guards the tables that have no guard yet, in the caller's transaction; a guard left named
   * after a renamed table is made again under the table's name.
   */
  static void guardNewTables(Connection c) throws SQLException {
    Map<String, String> guards = new java.util.HashMap<>();
    List<String> tables = new ArrayList<>();
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT type, name, tbl_name FROM sqlite_master WHERE (type = 'trigger' AND "
             + "name LIKE 'ferry\\_read\\_only\\_%' ESCAPE '\\') OR (type = 'table' AND name NOT LIKE 'sqlite\\_%' "
             + "ESCAPE '\\' AND name NOT IN " + ferryTables() + ")")) {
      while (rs.next()) {
        if (rs.getString(1).equals("table")) {
          tables.add(rs.getString(2));
        } else {
          guards.put(rs.getString(2), rs.getString(3));
        }
      }
    }
    try (Statement st = c.createStatement()) {
      for (Map.Entry<String, String> guard : List.copyOf(guards.entrySet())) {
        if (!guard.getKey().endsWith(":" + guard.getValue())) {
          st.execute("DROP TRIGGER " + quote(guard.getKey()));
          guards.remove(guard.getKey());
        }
      }
      for (String table : tables) {
        for (String op : OPERATIONS) {
          String name = PREFIX + op.toLowerCase(Locale.ROOT) + ":" + table;
          if (!table.equals(guards.get(name))) {
            st.execute(guard(name, op, table));
          }
        }
      }
    }
  }

  private static String guard(String name, String op, String table) {
    String message = "replica is read-only: " + op + " on " + table + " refused (Ferry replica mode: read-only; "
        + "only Ferry writes here: write to the source, or set mode: read-write)";
    return "CREATE TRIGGER " + quote(name) + " BEFORE " + op + " ON " + quote(table)
        + " WHEN (SELECT timeout FROM pragma_busy_timeout) IS NOT " + MARKER_TIMEOUT_MS
        + " AND NOT EXISTS (SELECT 1 FROM pragma_function_list WHERE name = '" + FUNCTION + "')"
        + " BEGIN SELECT RAISE(ABORT, '" + message.replace("'", "''") + "'); END";
  }

  /** Removes every guard and the mode's record (autocommit connection). */
  static boolean lift(Connection c) throws SQLException {
    List<String> guards = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master "
        + "WHERE type = 'trigger' AND name LIKE 'ferry\\_read\\_only\\_%' ESCAPE '\\'")) {
      while (rs.next()) {
        guards.add(rs.getString(1));
      }
    }
    boolean was = enforced(c);
    try (Statement st = c.createStatement()) {
      for (String guard : guards) {
        st.execute("DROP TRIGGER IF EXISTS " + quote(guard));
      }
      st.execute("DROP TABLE IF EXISTS " + MARKER_TABLE);
    }
    return was || !guards.isEmpty();
  }

  private static String ferryTables() {
    return "('" + String.join("', '", SqliteControlTables.INSTANCE.all()) + "', '" + MARKER_TABLE + "')";
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
