package dev.ferry.apply.dialect;

import dev.ferry.journal.model.JournalPosition;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * Ferry's own tables on a target — the replica's progress ({@code replication_control}), its
 * conflicts, the export archive it was loaded from, a seed's kept index definitions — and the one
 * owner of their names, DDL and the reads other modules make of them. PostgreSQL keeps them in
 * schema {@code _ferry} ({@code _ferry.replication_control}), SQLite as {@code ferry_}-prefixed
 * tables ({@code ferry_replication_control}).
 *
 * <p>Stateless and thread-safe; the caller owns the connection and its transaction.
 */
public interface ControlTables {
  /** The progress table's base name, the same on every target. */
  String PROGRESS = "replication_control";
  /** The conflicts table's base name. */
  String CONFLICTS = "conflicts";
  /** The archive loads table's base name. */
  String ARCHIVE_LOADS = "archive_loads";
  /** The kept index definitions' table's base name (PostgreSQL targets only). */
  String SYNC_INDEXES = "sync_indexes";
  /** The base name of the table of copies that {@code ferry table add} and {@code resync} mark. */
  String TABLE_COPIES = "table_copies";
  /**
   * The base name of the table where a target whose DDL commits on its own records how far into a
   * source transaction it committed (MariaDB only).
   */
  String DDL_STEPS = "ddl_steps";

  /** A replica's progress row as {@code ferry status} shows it. */
  record Progress(String appliedGtids, Optional<JournalPosition> journalPosition, Optional<Instant> lastCommitTime) {
  }

  /** The control tables of the target {@code c} is connected to. */
  static ControlTables of(Connection c) throws SQLException {
    return Dialect.of(c).controlTables();
  }

  /** The control table {@code baseName} (one of the constants here) as SQL on this target. */
  String table(String baseName);

  default String progress() {
    return table(PROGRESS);
  }

  default String conflicts() {
    return table(CONFLICTS);
  }

  default String archiveLoads() {
    return table(ARCHIVE_LOADS);
  }

  default String syncIndexes() {
    return table(SYNC_INDEXES);
  }

  default String tableCopies() {
    return table(TABLE_COPIES);
  }

  /** Whether the control table {@code baseName} exists. */
  boolean exists(Connection c, String baseName) throws SQLException;

  /**
   * Creates the progress, conflicts and table copies tables if missing, and adds the columns later versions
   * added (autocommit on entry and on return).
   */
  void prepare(Connection c) throws SQLException;

  /** Creates the archive loads table if missing (in the caller's transaction). */
  void createArchiveLoads(Connection c) throws SQLException;

  /**
   * Creates the kept index definitions' table if missing (in the caller's transaction).
   *
   * @throws IllegalStateException on a target that builds indexes during a seed's copy
   */
  void createSyncIndexes(Connection c) throws SQLException;

  /** Drops the control tables (a kept index definition survives; autocommit). */
  void drop(Connection c) throws SQLException;

  /**
   * The progress row of {@code source}, read only; empty if there is none.
   *
   * @throws SQLException also when the progress table does not exist (a replica never started)
   */
  Optional<Progress> readProgress(Connection c, String source) throws SQLException;
}
