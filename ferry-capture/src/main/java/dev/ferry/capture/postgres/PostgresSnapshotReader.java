package dev.ferry.capture.postgres;

import dev.ferry.journal.snapshot.SnapshotReader;
import dev.ferry.journal.snapshot.SnapshotSession;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Source sessions that all read one exported snapshot of a PostgreSQL source, for initial sync,
 * table copies and exports. With no snapshot name given, one is exported here
 * ({@code pg_export_snapshot()}) by a session held open until {@link #close()}: consistent, but no
 * replication point ({@link PostgresSnapshot} takes one that is). Sessions pin
 * {@code TimeZone = UTC}, {@code DateStyle = ISO}, {@code IntervalStyle = postgres} and
 * {@code extra_float_digits = 3}, as capture does, so text values are the same as streamed ones.
 * Thread-safe: {@link #session()} may be called from several threads.
 */
public final class PostgresSnapshotReader implements SnapshotReader {
  private static final Pattern NAME = Pattern.compile("[0-9A-Fa-f-]{1,64}");

  private final String jdbcUrl;
  private final String snapshotName;
  private final Optional<Connection> holder;

  private PostgresSnapshotReader(String jdbcUrl, String snapshotName, Optional<Connection> holder) {
    this.jdbcUrl = jdbcUrl;
    this.snapshotName = snapshotName;
    this.holder = holder;
  }

  /**
   * Reads the source of {@code config} at the exported snapshot {@code snapshotName}; with none, at
   * a snapshot exported here.
   *
   * @throws IllegalArgumentException if {@code snapshotName} is no exported snapshot's name
   */
  public static PostgresSnapshotReader open(PostgresSourceConfig config, Optional<String> snapshotName)
      throws SQLException {
    snapshotName.ifPresent(PostgresSnapshotReader::checkName);
    if (snapshotName.isPresent()) {
      return new PostgresSnapshotReader(config.jdbcUrl(), snapshotName.get(), Optional.empty());
    }
    Connection c = DriverManager.getConnection(config.jdbcUrl());
    try (Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try (ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
        rs.next();
        return new PostgresSnapshotReader(config.jdbcUrl(), rs.getString(1), Optional.of(c));
      }
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private static void checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + name + "' is not an exported snapshot name (like 00000003-0000001B-1)");
    }
  }

  @Override
  public String snapshotName() {
    return snapshotName;
  }

  /** A new session inside a read-only REPEATABLE READ transaction on the snapshot; the caller closes it. */
  @Override
  public SnapshotSession session() throws SQLException {
    Connection c = DriverManager.getConnection(jdbcUrl);
    try (Statement st = c.createStatement()) {
      c.setAutoCommit(true);
      st.execute("SET TimeZone = 'UTC'");
      st.execute("SET DateStyle = 'ISO'");
      st.execute("SET IntervalStyle = 'postgres'");
      st.execute("SET extra_float_digits = 3");
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      st.execute("SET TRANSACTION SNAPSHOT '" + snapshotName + "'");
      return new PostgresSnapshotSession(c);
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw new SQLException("cannot use snapshot " + snapshotName + " on the source: " + e.getMessage(),
          e instanceof SQLException s ? s.getSQLState() : null, e);
    }
  }

  @Override
  public void close() throws SQLException {
    if (holder.isPresent()) {
      holder.get().rollback();
      holder.get().close();
    }
  }
}
