package dev.ferry.capture.binlog;

import dev.ferry.journal.model.Side;
import dev.ferry.capture.CaptureException;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Value;
import dev.ferry.journal.snapshot.RowReader;
import dev.ferry.journal.snapshot.SnapshotInterruptedException;
import dev.ferry.journal.snapshot.SourceSequence;
import dev.ferry.journal.snapshot.SourceTable;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A consistent snapshot of a MariaDB source for a new replica's seed: one InnoDB transaction
 * opened {@code WITH CONSISTENT SNAPSHOT}, and the binlog GTID position it matches
 * ({@code binlog_snapshot_file} and {@code binlog_snapshot_position}, as a GTID by
 * {@code BINLOG_GTID_POS}): the snapshot holds exactly the transactions up to that
 * GTID position, the last GTID of every domain the binlog holds at that point. Rows are read as the journal values binlog capture gives the same data
 * ({@link SnapshotValues}), so a seeded row equals a streamed one; the captured SEQUENCEs are not
 * copied as tables but carried as their values ({@link #sequences}). Only reads. Used by one thread.
 */
public final class MariaDbSnapshot implements RowReader, AutoCloseable {
  /** {@code ER_NO_SUCH_TABLE}: a sequence dropped between listing and reading it. */
  private static final int ER_NO_SUCH_TABLE = 1146;
  private final Connection connection;
  private final String database;
  private final List<SourceTable> tables;
  private final List<SourceSequence> sequences;
  private final Map<TableId, BinlogCatalog.Shape> shapes;
  private final SourcePosition position;
  private final Map<Long, Gtid> gtidPosition;
  private final String source;

  private MariaDbSnapshot(Connection connection, String database, List<SourceTable> tables,
      List<SourceSequence> sequences, Map<TableId, BinlogCatalog.Shape> shapes, SourcePosition position,
      Map<Long, Gtid> gtidPosition, String source) {
    this.connection = connection;
    this.database = database;
    this.tables = tables;
    this.sequences = sequences;
    this.shapes = shapes;
    this.position = position;
    this.gtidPosition = gtidPosition;
    this.source = source;
  }

  /**
   * Opens the snapshot.
   *
   * @throws CaptureException when a captured column's type is not captured
   */
  public static MariaDbSnapshot create(MariaDbSourceConfig config) throws IOException, SQLException {
    MariaDbUrl url = MariaDbUrl.parse(config.name(), config.jdbcUrl());
    Connection c = DriverManager.getConnection(config.jdbcUrl());
    try {
      try (Statement st = c.createStatement()) {
        st.execute("SET SESSION time_zone = '+00:00'");
        st.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
      }
      String file = status(c, "binlog_snapshot_file");
      long offset = Long.parseLong(status(c, "binlog_snapshot_position"));
      Map<Long, Gtid> at = Collections.unmodifiableMap(GtidPositions.at(c, file, offset));
      SourcePosition position = SourcePosition.binlog(file, offset);
      if (at.size() == 1) {
        position = position.withSourceGtid(at.values().iterator().next());
      }
      BinlogCatalog catalog = new BinlogCatalog(config.name(), url.database(), config.tables());
      List<SourceTable> tables = new ArrayList<>();
      Map<TableId, BinlogCatalog.Shape> shapes = new java.util.HashMap<>();
      for (TableId id : catalog.tables(c)) {
        BinlogCatalog.Shape shape = catalog.shape(c, id.name()).orElseThrow();
        shapes.put(id, shape);
        tables.add(describe(c, url.database(), shape));
      }
      List<SourceSequence> sequences = new ArrayList<>();
      for (TableId id : catalog.sequences(c)) {
        sequence(c, url.database(), id).ifPresent(sequences::add);
      }
      return new MariaDbSnapshot(c, url.database(), List.copyOf(tables), List.copyOf(sequences), shapes, position, at,
          config.name());
    } catch (IOException | SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private static String status(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SHOW STATUS LIKE ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("the server has no status variable " + name);
        }
        return rs.getString(2);
      }
    }
  }

  /**
   * A SEQUENCE's options and the last value the source may have handed out: {@code
   * next_not_cached_value} less one increment, as capture journals each of its binlog rows
   * ({@code TransactionAssembler}); none handed out while it stands at its start, never cycled.
   * Empty if it was dropped since it was listed.
   *
   * <p>Read in the snapshot's transaction, but MariaDB does not read a sequence's row as of the
   * snapshot: it reads its current row (tried on 10.11: a refill committed after {@code START
   * TRANSACTION WITH CONSISTENT SNAPSHOT} is seen). So the value may be a later one. That is still
   * safe: a sequence only moves up (its cache refills, a {@code SETVAL} forward), so a later value is
   * at or above every value handed out before the snapshot, and the journal's advances after the
   * snapshot move a replica's sequence up only, never back below it. (An {@code ALTER SEQUENCE …
   * RESTART} lower after the snapshot is DDL after it, which the replica applies after the seed.)
   */
  private static Optional<SourceSequence> sequence(Connection c, String database, TableId id) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT next_not_cached_value,"
        + " minimum_value, maximum_value, start_value, increment, cache_size, cycle_option, cycle_count FROM "
        + quote(database) + "." + quote(id.name()))) {
      if (!rs.next()) {
        return Optional.empty();
      }
      long next = rs.getLong(1);
      long start = rs.getLong(4);
      long increment = rs.getLong(5);
      boolean called = next != start || rs.getLong(8) > 0;
      long step = increment == 0 ? 1 : increment; // INCREMENT 0 steps by auto_increment_increment, at least 1
      return Optional.of(SourceSequence.standalone(id, start, increment, rs.getLong(2), rs.getLong(3),
          rs.getLong(6), rs.getBoolean(7), called ? next - step : next, called));
    } catch (SQLException e) {
      if (e.getErrorCode() == ER_NO_SUCH_TABLE) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static SourceTable describe(Connection c, String database, BinlogCatalog.Shape shape) throws SQLException {
    List<String> key = new ArrayList<>();
    List<Boolean> notNull = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT IS_NULLABLE FROM"
        + " information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
      ps.setString(1, database);
      ps.setString(2, shape.id().name());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          notNull.add("NO".equals(rs.getString(1)));
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME FROM information_schema.STATISTICS"
        + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX")) {
      ps.setString(1, database); // the key in its own order, not the table's: a created replica table keys alike
      ps.setString(2, shape.id().name());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          key.add(rs.getString(1));
        }
      }
    }
    List<SourceTable.SourceColumn> columns = new ArrayList<>();
    for (int i = 0; i < shape.columns().size(); i++) {
      var col = shape.columns().get(i).column();
      columns.add(new SourceTable.SourceColumn(col.name(), col.typeName(), notNull.get(i), col.logicalType()));
    }
    return new SourceTable(shape.id(), columns, key, 0, 0);
  }

  /**
   * Where the snapshot stands in the binlog, with the GTID of its last transaction when the binlog
   * holds one domain (none on an empty binlog or several domains: see {@link #gtidPosition}).
   */
  public SourcePosition position() {
    return position;
  }

  /**
   * The snapshot's GTID position: per domain (ascending), the last GTID the snapshot holds; a
   * transaction of the source is in the snapshot exactly when its domain is here and its sequence
   * number is at most this one's. Empty on an empty binlog. Unmodifiable.
   */
  public Map<Long, Gtid> gtidPosition() {
    return gtidPosition;
  }

  /**
   * The captured SEQUENCEs (those {@code source.tables} accepts), each at the last value the source
   * may have handed out when the snapshot was taken or later (see {@link #sequence}), as standalone
   * {@link SourceSequence}s.
   */
  public List<SourceSequence> sequences() {
    return sequences;
  }

  /** The captured tables, as the snapshot sees them. */
  public List<SourceTable> tables() {
    return tables;
  }

  @Override
  public long read(SourceTable table, RowSink sink) throws SQLException {
    BinlogCatalog.Shape shape = shapes.get(table.id());
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < shape.columns().size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(SnapshotValues.select(shape.columns().get(i),
          quote(shape.columns().get(i).column().name())));
    }
    sql.append(" FROM ").append(quote(database)).append('.').append(quote(table.id().name()));
    long rows = 0;
    try (Statement st = connection.createStatement()) {
      st.setFetchSize(1000);
      try (ResultSet rs = st.executeQuery(sql.toString())) {
        while (rs.next()) {
          if (Thread.currentThread().isInterrupted()) {
            throw new SnapshotInterruptedException(Side.source(source).prefix("snapshot read of " + table.id()
                + " interrupted"));
          }
          List<Value> row = new ArrayList<>(shape.columns().size());
          for (int i = 0; i < shape.columns().size(); i++) {
            row.add(SnapshotValues.read(rs, i + 1, shape.columns().get(i), source, table.id().name()));
          }
          sink.accept(row);
          rows++;
        }
      }
    }
    return rows;
  }

  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /** Ends the snapshot's transaction (it only read). */
  @Override
  public void close() throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute("ROLLBACK");
    } finally {
      connection.close();
    }
  }
}
