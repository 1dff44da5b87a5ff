package dev.ferry.apply.jdbc;

import dev.ferry.apply.ApplyException;
import dev.ferry.apply.LastApplied;
import dev.ferry.apply.ReplicaPosition;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Side;
import dev.ferry.sql.SqlErrorText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads and writes the replica's row of {@code replication_control}. The write is an upsert made
 * inside the target transaction that carries the changes it records; the read at the start of a
 * group locks the row on PostgreSQL ({@code FOR UPDATE}), so two appliers of one source cannot
 * both apply the same transactions. One thread.
 */
final class ProgressStore {
  private final Dialect dialect;
  private final String source;

  ProgressStore(Dialect dialect, String source) {
    this.dialect = dialect;
    this.source = source;
  }

  /** A read of the progress row. */
  interface Read<T> {
    T read(Connection c) throws SQLException;
  }

  /** Reads the progress row on {@code link}, ending the transaction it opened if {@code end} (no group is open). */
  <T> T readAlone(TargetLink link, boolean end, Side side, Read<T> read) throws ApplyException {
    try {
      Connection connection = link.connection();
      T value = read.read(connection);
      if (end) {
        connection.rollback();
      }
      return value;
    } catch (SQLException e) {
      throw new ApplyException(side, "cannot read " + dialect.controlTables().progress() + ": "
          + SqlErrorText.describe(e), null, e);
    }
  }

  /**
   * Creates the row of a new replica (empty GTID set), so that every group can lock it: two
   * appliers of one source then take turns even before the first commit.
   */
  void ensureRow(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        dialect.syntax().insertUnlessExists(dialect.controlTables().progress(), "source, applied_gtids", "?, ?", "source"))) {
      ps.setString(1, source);
      ps.setString(2, "");
      ps.executeUpdate();
    }
  }

  ReplicaPosition read(Connection c, boolean lock) throws SQLException {
    String sql = "SELECT " + COLUMNS + " FROM " + dialect.controlTables().progress() + " WHERE source = ?"
        + (lock ? dialect.lockRows(false) : "");
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, source);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? position(rs, 1) : ReplicaPosition.initial(source);
      }
    }
  }

  /** The columns {@link #position} reads, in its order. */
  static final String COLUMNS = "applied_gtids, journal_position, schema_sequence, last_commit_time";

  /** The position in the row at {@code rs}, whose {@link #COLUMNS} start at column {@code first}. */
  ReplicaPosition position(ResultSet rs, int first) throws SQLException {
    GtidSet applied = GtidSet.parse(rs.getString(first));
    Optional<JournalPosition> position = Optional.ofNullable(rs.getString(first + 1)).map(JournalPosition::parse);
    long sequence = rs.getLong(first + 2);
    OptionalLong schemaSequence = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(sequence);
    Optional<Instant> commitTime = dialect.values().readTime(rs, first + 3);
    return new ReplicaPosition(source, applied, position, schemaSequence, commitTime);
  }

  /** The replica's row as {@code read} finds it where it has none (a new replica). */
  ReplicaPosition initial() {
    return ReplicaPosition.initial(source);
  }

  /** The last committed transaction's GTID and checksum, if the row records them. */
  Optional<LastApplied> readLast(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT last_gtid, last_checksum FROM " + dialect.controlTables().progress()
        + " WHERE source = ?")) {
      ps.setString(1, source);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getString(1) == null) {
          return Optional.empty();
        }
        Gtid gtid = Gtid.parse(rs.getString(1));
        long checksum = rs.getLong(2);
        return Optional.of(new LastApplied(gtid, rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(checksum)));
      }
    }
  }

  /**
   * Writes a position that ends no transaction this replica applied (a seed, a load): the last
   * transaction's GTID and checksum are cleared, so a row left by an earlier life of the replica
   * (before {@code ferry replica reinit}) cannot be taken for the journal's record at the new position.
   */
  void write(Connection c, ReplicaPosition p, Instant now) throws SQLException {
    write(c, p, Optional.empty(), true, now, false);
  }

  /** Writes the row; {@code last}, when given, replaces the last transaction's GTID and checksum. */
  void write(Connection c, ReplicaPosition p, Optional<LastApplied> last, Instant now) throws SQLException {
    write(c, p, last, false, now, false);
  }

  /**
   * Writes the row as {@link #write(Connection, ReplicaPosition, Optional, Instant)} and, if
   * {@code withCommit}, commits the transaction in the same round trip (where
   * {@link Dialect#commitsWithAWrite}, as the caller checked).
   */
  void write(Connection c, ReplicaPosition p, Optional<LastApplied> last, Instant now, boolean withCommit)
      throws SQLException {
    write(c, p, last, false, now, withCommit);
  }

  private void write(Connection c, ReplicaPosition p, Optional<LastApplied> last, boolean clearLast, Instant now,
      boolean commit) throws SQLException {
    dialect.markApplied(c, false);
    List<String> columns = new java.util.ArrayList<>(List.of("source", "applied_gtids", "journal_position",
        "schema_sequence", "last_commit_time", "updated_at"));
    if (last.isPresent() || clearLast) {
      columns.addAll(List.of("last_gtid", "last_checksum"));
    }
    String sql = dialect.syntax().upsert(dialect.controlTables().progress(), columns, "source") + (commit ? "; COMMIT" : "");
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (last.isPresent()) {
        ps.setString(7, last.get().gtid().toString());
        if (last.get().checksum().isPresent()) {
          ps.setLong(8, last.get().checksum().getAsLong());
        } else {
          ps.setNull(8, java.sql.Types.BIGINT);
        }
      } else if (clearLast) {
        ps.setNull(7, java.sql.Types.VARCHAR);
        ps.setNull(8, java.sql.Types.BIGINT);
      }
      ps.setString(1, source);
      ps.setString(2, p.applied().toString());
      ps.setString(3, p.journalPosition().map(JournalPosition::toString).orElse(null));
      if (p.schemaSequence().isPresent()) {
        ps.setLong(4, p.schemaSequence().getAsLong());
      } else {
        ps.setNull(4, java.sql.Types.BIGINT);
      }
      dialect.values().bindTime(ps, 5, p.lastCommitTime().orElse(null));
      dialect.values().bindTime(ps, 6, now);
      ps.executeUpdate();
    }
  }
}
