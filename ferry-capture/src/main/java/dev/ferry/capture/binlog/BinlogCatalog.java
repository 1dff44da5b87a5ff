package dev.ferry.capture.binlog;

import dev.ferry.capture.CaptureException;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableFilter;
import dev.ferry.journal.model.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one reader of a MariaDB source's catalog ({@code information_schema}): which tables of the
 * captured database the filter takes, and each one's columns in binlog order. Capture keeps the
 * shapes it read and forgets them when a DDL statement runs ({@link #forget}), so an
 * {@code ALTER TABLE} is read again before the next row of that table. Not thread-safe.
 */
final class BinlogCatalog {
  /** A captured table: its id in the journal and its columns in ordinal (binlog) order. */
  record Shape(TableId id, List<SourceColumn> columns) {
    List<Column> journalColumns() {
      return columns.stream().map(SourceColumn::column).toList();
    }

    /** This table's columns named {@code names}, in that order; empty if names is empty or names one it lacks. */
    Optional<Shape> select(List<String> names) {
      List<SourceColumn> selected = new ArrayList<>();
      for (String name : names) {
        Optional<SourceColumn> col = columns.stream().filter(c -> c.column().name().equalsIgnoreCase(name)).findFirst();
        if (col.isEmpty()) {
          return Optional.empty();
        }
        selected.add(col.get());
      }
      return names.isEmpty() ? Optional.empty() : Optional.of(new Shape(id, List.copyOf(selected)));
    }
  }

  /**
   * The progress table of a MariaDB replica, as the apply's {@code MariaDbControlTables} names it
   * (ferry-capture cannot see ferry-apply; {@code TargetMarksNoReplicationLoopTest} shows they agree).
   */
  static final String PROGRESS_TABLE = "ferry_replication_control";
  /**
   * How a DDL statement Ferry applied to a MariaDB replica ends, as the apply's {@code
   * MariaDbDialect.APPLIED_DDL_MARK} writes it (without the line break before it).
   */
  static final String APPLIED_DDL_MARK = "/* ferry: applied */";
  /**
   * Ferry's control tables on a MariaDB replica: never captured, their rows nor their DDL, whatever
   * the filter says ({@code TargetMarksNoReplicationLoopTest} checks the list against the apply's).
   */
  static final Set<String> CONTROL_TABLES = Set.of(PROGRESS_TABLE, "ferry_conflicts", "ferry_sequences",
      "ferry_archive_loads", "ferry_table_copies", "ferry_ddl_steps", "ferry_read_only");

  private final String source;
  private final String database;
  private final TableFilter filter;
  private final Map<String, Boolean> accepted = new HashMap<>();
  /**
   * The columns of every MariaDB sequence, in binlog order: a sequence is a one-row table, and each
   * refill of its cache (and each {@code SETVAL}) logs that row.
   */
  static final List<String> SEQUENCE_COLUMNS = List.of("next_not_cached_value", "minimum_value", "maximum_value",
      "start_value", "increment", "cache_size", "cycle_option", "cycle_count");

  private final Map<String, Optional<Shape>> shapes = new HashMap<>();
  private final Map<String, Boolean> sequences = new HashMap<>();

  BinlogCatalog(String source, String database, TableFilter filter) {
    this.source = source;
    this.database = database;
    this.filter = filter;
  }

  /** The journal's id of a table of the captured database: no schema, so targets use their default one. */
  static TableId tableId(String table) {
    return new TableId("", table);
  }

  /** Whether {@code table} of {@code db} is captured (never one of Ferry's control tables). */
  boolean captures(String db, String table) {
    // Asked for every row event: the filter's answer per table is kept (its patterns are fixed).
    return database.equals(db) && !CONTROL_TABLES.contains(table)
        && accepted.computeIfAbsent(table, t -> filter.accepts(tableId(t)));
  }

  /** The captured tables of the database, in name order. */
  List<TableId> tables(Connection c) throws SQLException {
    return ofType(c, "BASE TABLE");
  }

  /** The captured SEQUENCEs of the database (those the filter takes, as tables), in name order. */
  List<TableId> sequences(Connection c) throws SQLException {
    return ofType(c, "SEQUENCE");
  }

  private List<TableId> ofType(Connection c, String type) throws SQLException {
    List<TableId> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_NAME FROM information_schema.TABLES"
        + " WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = ? ORDER BY TABLE_NAME")) {
      ps.setString(1, database);
      ps.setString(2, type);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TableId id = tableId(rs.getString(1));
          if (!CONTROL_TABLES.contains(id.name()) && filter.accepts(id)) {
            out.add(id);
          }
        }
      }
    }
    return out;
  }

  /**
   * The shape of captured table {@code table}, read once until {@link #forget}; empty when the table
   * no longer exists.
   *
   * @throws CaptureException naming table and column when a column's type is not captured yet
   */
  Optional<Shape> shape(Connection c, String table) throws SQLException, CaptureException {
    Optional<Shape> known = shapes.get(table);
    if (known == null) {
      known = read(c, table);
      shapes.put(table, known);
    }
    return known;
  }

  /** Forgets every shape read: the next row reads the catalog again. */
  void forget() {
    shapes.clear();
    sequences.clear();
  }

  /**
   * Whether {@code table} of the captured database is a SEQUENCE ({@code TABLE_TYPE = 'SEQUENCE'}),
   * read once until {@link #forget}. One the catalog no longer holds (dropped after the row was
   * written) is a sequence if its TABLE_MAP names exactly a sequence's columns ({@code mapped}, with
   * {@code binlog_row_metadata=FULL}).
   */
  boolean isSequence(Connection c, String table, List<String> mapped) throws SQLException {
    Boolean known = sequences.get(table);
    if (known != null) {
      return known;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_TYPE FROM information_schema.TABLES"
        + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
      ps.setString(1, database);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          boolean sequence = "SEQUENCE".equals(rs.getString(1));
          sequences.put(table, sequence);
          return sequence;
        }
      }
    }
    return mapped.stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)).toList().equals(SEQUENCE_COLUMNS);
  }

  private Optional<Shape> read(Connection c, String table) throws SQLException, CaptureException {
    List<SourceColumn> columns = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME"
        + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
      ps.setString(1, database);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          Optional<SourceColumn> col = SourceColumn.of(name, rs.getString(2), rs.getString(3), rs.getString(4));
          if (col.isEmpty()) {
            throw new CaptureException(source, "column " + database + "." + table + "." + name + " has type "
                + rs.getString(3) + (rs.getString(4) == null ? "" : " (character set " + rs.getString(4) + ")")
                + ", which Ferry does not capture from MariaDB yet; it captures " + SourceColumn.SUPPORTED
                + ". Change the column's type or leave the table out with source.tables (see docs/mariadb-capture.md)");
          }
          columns.add(col.get());
        }
      }
    }
    return columns.isEmpty() ? Optional.empty() : Optional.of(new Shape(tableId(table), List.copyOf(columns)));
  }
}
