package dev.ferry.apply.sync;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Source sessions that all read one exported snapshot. With no snapshot name given, one is
 * exported here ({@code pg_export_snapshot()}) by a session held open until {@link #close()}.
 * Sessions pin {@code TimeZone = UTC}, {@code DateStyle = ISO}, {@code IntervalStyle = postgres}
 * and {@code extra_float_digits = 3}, as capture does, so text values are the same as streamed
 * ones. Thread-safe: {@link #session()} may be called from several threads.
 */
final class SnapshotSessions implements AutoCloseable {
  private static final Pattern NAME = Pattern.compile("[0-9A-Fa-f-]{1,64}");

  private final InitialCopy.Source source;
  private final String snapshotName;
  private final Optional<Connection> holder;

  private SnapshotSessions(InitialCopy.Source source, String snapshotName, Optional<Connection> holder) {
    this.source = source;
    this.snapshotName = snapshotName;
    this.holder = holder;
  }

  static void checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + name + "' is not an exported snapshot name (like 00000003-0000001B-1)");
    }
  }

  static SnapshotSessions open(InitialCopy.Source source) throws SQLException {
    if (source.snapshotName().isPresent()) {
      return new SnapshotSessions(source, source.snapshotName().get(), Optional.empty());
    }
    Connection c = source.connections().connect();
    try (Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try (ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
        rs.next();
        return new SnapshotSessions(source, rs.getString(1), Optional.of(c));
      }
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  String snapshotName() {
    return snapshotName;
  }

  /** A new session inside a read-only REPEATABLE READ transaction on the snapshot; the caller closes it. */
  Connection session() throws SQLException {
    Connection c = source.connections().connect();
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
      return c;
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
