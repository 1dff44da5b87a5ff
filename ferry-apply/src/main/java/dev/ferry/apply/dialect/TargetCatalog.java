package dev.ferry.apply.dialect;

import dev.ferry.journal.model.TableId;
import dev.ferry.journal.snapshot.SourceSequence;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * A target's catalog: how it describes its tables, the column types it declares for a source's,
 * and the schema changes Ferry makes on it (truncate, sequences, schemas). Stateless and
 * thread-safe; the caller owns the connection and its transaction.
 */
public interface TargetCatalog {
  /** The target's own description of {@code table}, if it exists. */
  Optional<TableInfo> describe(Connection c, TableId table) throws SQLException;

  /**
   * The unique key {@code error} says a row clashed on, if it is a unique violation: one of
   * {@code table}'s {@linkplain TableInfo#uniqueKeys() unique keys}, or its primary key (a key not
   * among them, with the primary key's columns).
   */
  Optional<TableInfo.UniqueKey> uniqueViolation(SQLException error, TableInfo table);

  /** Empties {@code tables} in the caller's transaction. */
  void truncate(Connection c, List<TableId> tables, boolean cascade, boolean restartIdentity) throws SQLException;

  /**
   * Moves the replica's sequence to {@code value} unless it is already there or beyond.
   *
   * @return false when the target has no such sequence and keeps nothing of the value (a
   *     PostgreSQL target without it: a MariaDB source's sequence nobody created there)
   */
  boolean advanceSequence(Connection c, TableId sequence, long value) throws SQLException;

  /**
   * Creates the standalone sequence {@code sequence} (a MariaDB source's {@code SEQUENCE}, for a
   * seed) with its options, where the target keeps such sequences and has no table or sequence of
   * that name; its value is then set by {@link #advanceSequence}. Runs in the caller's transaction
   * (which MariaDB commits).
   *
   * @return the statement run, if one was; empty where the target keeps no such sequences (then
   *     {@link #advanceSequence} sets one that exists or keeps the value in a control table)
   */
  default Optional<String> createStandaloneSequence(Connection c, SourceSequence sequence) throws SQLException {
    return Optional.empty();
  }

  /**
   * At a promotion: raises the target's own id counters that no replicated sequence carries (SQLite
   * {@code AUTOINCREMENT}, MariaDB {@code AUTO_INCREMENT}) by {@code gap} above the highest id each
   * table used, once per {@code promotion} (running it again sets the same values); in the caller's
   * transaction (which MariaDB commits at its first {@code ALTER TABLE}). Returns what it set
   * ({@code table=value}), for the log; nothing where the target has no such counters.
   */
  default List<String> raiseAutoIncrement(Connection c, String promotion, long gap) throws SQLException {
    return List.of();
  }

  /**
   * Whether the target has sequences of its own (serial and identity columns use them); where it
   * has none, their values are kept in a control table by {@link #advanceSequence}.
   */
  boolean hasSequences();

  /** Creates {@code schema} if the target keeps schemas and it is not the default one (caller's transaction). */
  void createSchema(Connection c, String schema) throws SQLException;

  /** The column type to declare on the target for a source column of {@code type} spelled by {@code family}. */
  String columnType(TypeFamily family, String type);

  /** Whether a source column's type of {@code family} is declared on the target exactly as the source spells it. */
  boolean keepsTypesOf(TypeFamily family);

}
