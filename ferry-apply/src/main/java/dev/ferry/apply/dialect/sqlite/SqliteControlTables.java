package dev.ferry.apply.dialect.sqlite;

import dev.ferry.apply.dialect.SharedControlTables;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Ferry's control tables on SQLite: {@code ferry_}-prefixed tables in the main database, and
 * {@code ferry_sequences}, where SQLite keeps the values of the source's sequences. Stateless.
 */
public final class SqliteControlTables extends SharedControlTables {
  public static final SqliteControlTables INSTANCE = new SqliteControlTables();
  /** The sequence values' table's base name (SQLite has no sequences). */
  static final String SEQUENCES = "sequences";
  private static final String PREFIX = "ferry_";

  private SqliteControlTables() {
  }

  @Override
  public String table(String baseName) {
    return PREFIX + baseName;
  }

  String sequences() {
    return table(SEQUENCES);
  }

  @Override
  public boolean exists(Connection c, String baseName) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '" + table(baseName) + "'")) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  @Override
  public void prepare(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      // Appliers opening at once take turns: the column check and its ALTER are one write transaction.
      st.execute("BEGIN IMMEDIATE");
      try {
        st.execute("""
            CREATE TABLE IF NOT EXISTS %s (
              source TEXT PRIMARY KEY,
              applied_gtids TEXT NOT NULL,
              journal_position TEXT,
              schema_sequence INTEGER,
              last_commit_time TEXT,
              updated_at TEXT NOT NULL DEFAULT (strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now')))""".formatted(progress()));
        addMissingColumn(st, progress(), "last_gtid", "TEXT");
        addMissingColumn(st, progress(), "last_checksum", "INTEGER");
        createConflictsAndSequences(st);
        for (String column : List.of("resolved_at", "resolved_by", "resolution_note")) {
          addMissingColumn(st, conflicts(), column, "TEXT");
        }
        st.execute("COMMIT");
      } catch (SQLException e) {
        st.execute("ROLLBACK");
        throw e;
      }
      createTableCopies(st);
    }
  }

  private void createTableCopies(Statement st) throws SQLException {
    st.execute("""
        CREATE TABLE IF NOT EXISTS %s (
          source TEXT NOT NULL,
          table_name TEXT NOT NULL,
          state TEXT NOT NULL,
          snapshot_position TEXT,
          updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
          PRIMARY KEY (source, table_name))""".formatted(tableCopies()));
  }

  /** Every control table's name on SQLite (a read-only replica's guards leave them alone). */
  List<String> all() {
    return List.of(progress(), conflicts(), sequences(), archiveLoads(), tableCopies());
  }

  private void createConflictsAndSequences(Statement st) throws SQLException {
    st.execute("""
        CREATE TABLE IF NOT EXISTS %s (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          detected_at TEXT NOT NULL,
          replica TEXT NOT NULL,
          source TEXT NOT NULL,
          gtid TEXT NOT NULL,
          conflict_type TEXT NOT NULL,
          table_name TEXT NOT NULL,
          row_key TEXT NOT NULL,
          local_row TEXT,
          remote_row TEXT,
          resolution TEXT NOT NULL,
          resolved_at TEXT,
          resolved_by TEXT,
          resolution_note TEXT)""".formatted(conflicts()));
    st.execute("""
        CREATE TABLE IF NOT EXISTS %s (
          name TEXT PRIMARY KEY,
          value INTEGER NOT NULL)""".formatted(sequences()));
  }

  /**
   * Adds a column later versions added (no IF NOT EXISTS here): the progress table's last transaction's
   * GTID and checksum (the consumer check), the conflicts table's resolution.
   */
  private void addMissingColumn(Statement st, String table, String column, String type) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT 1 FROM pragma_table_info('" + table + "') WHERE name = '"
        + column + "'")) {
      if (rs.next()) {
        return;
      }
    }
    st.execute("ALTER TABLE " + table + " ADD COLUMN " + column + " " + type);
  }

  @Override
  public void createSyncIndexes(Connection c) {
    throw new IllegalStateException("a SQLite target keeps its indexes during a seed's copy: no " + syncIndexes());
  }

  @Override
  public void drop(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String t : all()) {
        st.execute("DROP TABLE IF EXISTS " + t);
      }
    }
  }

  @Override
  protected Optional<Instant> readTime(ResultSet rs, int index) throws SQLException {
    return Optional.ofNullable(rs.getString(index)).map(Instant::parse);
  }
}
