package dev.ferry.apply.jdbc;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ReplicaPosition;
import dev.ferry.apply.dialect.BulkLoader;
import dev.ferry.apply.dialect.ControlTables;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.apply.dialect.IndexDeferral;
import dev.ferry.apply.dialect.TypeFamily;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Value;
import dev.ferry.journal.snapshot.SourceSequence;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What initial sync ({@code dev.ferry.apply.sync}) needs from the applier's target handling, so
 * that both use one naming, one value mapping and one progress row: table names on the target,
 * the PostgreSQL → SQLite value conversion, and reading and writing the replica's
 * {@code replication_control} row.
 *
 * <p>Wraps one connection the caller owns. {@link #on} prepares the session as an applier would
 * (progress tables created if missing; on PostgreSQL {@code session_replication_role = replica})
 * and leaves the connection in manual-commit mode. Not thread-safe: one per connection.
 */
public final class SeedTarget {
  private final Connection connection;
  private final Dialect dialect;
  private final ProgressStore progress;
  private final String source;

  private SeedTarget(Connection connection, Dialect dialect, String source) {
    this.connection = connection;
    this.dialect = dialect;
    this.progress = new ProgressStore(dialect, source);
    this.source = source;
  }

  /** Prepares {@code connection} for the replica {@code config} names (source = the journal). */
  public static SeedTarget on(Connection connection, ApplyConfig config) throws SQLException {
    Dialect dialect = Dialect.of(connection);
    connection.setAutoCommit(true);
    dialect.prepareSession(connection, false, config.replicaName());
    dialect.markApplySession(connection, config.source(), config.replicaName());
    connection.setAutoCommit(false);
    return new SeedTarget(connection, dialect, config.source());
  }

  public Connection connection() {
    return connection;
  }

  /**
   * Begins the transaction that creates and empties the copied tables as a writer (the transaction
   * open is rolled back): it reads the target's catalog before it writes, which on SQLite fails at
   * once while another connection (the streaming applier) holds the write lock or wrote meanwhile,
   * unless the lock is taken first ({@link Dialect#beginWrite}).
   */
  public void beginWrite() throws SQLException {
    dialect.beginWrite(connection);
  }

  /** The target's bulk path (COPY), if it has one. */
  public Optional<BulkLoader> bulkLoader() {
    return dialect.bulkLoader();
  }

  /** Whether several copy streams may write to the target at once. */
  public boolean concurrentWriters() {
    return dialect.concurrentWriters();
  }

  /** How a seed builds the tables' indexes after the copy, where the target does. */
  public Optional<IndexDeferral> indexDeferral() {
    return dialect.indexDeferral();
  }

  /** Cancels what the connection runs, from another thread (the node stopping); never throws. */
  public void cancelQuietly() {
    dialect.cancelQuietly(connection);
  }

  /** Whether the target has sequences of its own (else their values live in a control table). */
  public boolean hasSequences() {
    return dialect.catalog().hasSequences();
  }

  /** Creates {@code schema} if the target keeps schemas and lacks it (the connection's transaction). */
  public void createSchema(String schema) throws SQLException {
    dialect.catalog().createSchema(connection, schema);
  }

  /** The column type to declare for a source column of {@code type} spelled by {@code family}. */
  public String columnType(TypeFamily family, String type) {
    return dialect.catalog().columnType(family, type);
  }

  /**
   * Whether rows of a source of {@code family} can be copied in binary form into columns that have
   * exactly the source's types.
   */
  public boolean binaryCopyFrom(TypeFamily family) {
    return dialect.catalog().keepsTypesOf(family)
        && dialect.bulkLoader().map(b -> b.takesBinaryFrom(family)).orElse(false);
  }

  /** Empties {@code tables} in the connection's open transaction (not committed here). */
  public void truncate(List<TableId> tables) throws SQLException {
    dialect.catalog().truncate(connection, tables, false, false);
  }

  /** Ferry's own tables on this target. */
  public ControlTables controlTables() {
    return dialect.controlTables();
  }

  /** The target table's name as quoted SQL ({@code public.t} is {@code "t"} on SQLite). */
  public String tableName(TableId table) {
    return dialect.syntax().tableName(table);
  }

  /** Quotes an identifier for the target. */
  public String quote(String identifier) {
    return dialect.syntax().quote(identifier);
  }

  /**
   * The target table's columns, name to type as the target catalog spells it (PostgreSQL:
   * {@code format_type}), in column order, if the table exists.
   */
  public Optional<Map<String, String>> columns(TableId table) throws SQLException {
    return dialect.catalog().describe(connection, table).map(t -> {
      Map<String, String> columns = new LinkedHashMap<>();
      t.columns().forEach(c -> columns.put(c.name(), c.sqlType()));
      return columns;
    });
  }

  /**
   * Binds a PostgreSQL text value ({@code null}: SQL NULL) of source column {@code column} as the
   * applier would: on SQLite converted by the documented type mapping.
   */
  public void bindText(PreparedStatement ps, int index, String text, Column column) throws SQLException {
    dialect.values().bind(ps, index, text == null ? Value.NULL : new Value.Text(text), column);
  }

  /** Binds a journal value of source column {@code column} exactly as the applier binds it. */
  public void bind(PreparedStatement ps, int index, Value value, Column column) throws SQLException {
    dialect.values().bind(ps, index, value, column);
  }

  /**
   * Moves {@code sequence} forward to {@code lastUsed} (never back), as a {@code SequenceAdvance}
   * would: PostgreSQL {@code setval}, MariaDB {@code SETVAL} and the {@code ferry_sequences} row,
   * SQLite the {@code ferry_sequences} row.
   *
   * @return false when the target has no such sequence and keeps nothing of the value (a
   *     PostgreSQL target without a MariaDB source's sequence)
   */
  public boolean advanceSequence(TableId sequence, long lastUsed) throws SQLException {
    return dialect.catalog().advanceSequence(connection, sequence, lastUsed);
  }

  /**
   * Creates the standalone sequence {@code sequence} (a MariaDB source's) where the target keeps
   * such sequences and lacks it: a MariaDB target. Returns the statement run, if any.
   */
  public Optional<String> createStandaloneSequence(SourceSequence sequence) throws SQLException {
    return dialect.catalog().createStandaloneSequence(connection, sequence);
  }

  /** The replica's committed progress row (the initial position if there is none). */
  public ReplicaPosition readPosition() throws SQLException {
    return progress.read(connection, false);
  }

  /**
   * Upserts the replica's progress row in the connection's open transaction (not committed here),
   * and clears the marks of tables copied while streaming: a seed or load holds every table.
   */
  public void writePosition(ReplicaPosition position, Instant now) throws SQLException {
    progress.write(connection, position, now);
    TableCopyGate.clear(connection, dialect, source);
  }

  /** Where the copy of {@code table} into this replica while it streams stands, if one was made. */
  public enum CopyState { COPYING, COPIED }

  /** The table's mark ({@code ferry table add}): COPYING, COPIED, or none. */
  public Optional<CopyState> copyState(TableId table) throws SQLException {
    TableCopyGate.Mark mark = TableCopyGate.read(connection, dialect, source, false).get(table);
    return Optional.ofNullable(mark).map(m -> CopyState.valueOf(m.state().name()));
  }

  /**
   * Marks {@code table} COPYING and commits: from then on the applier holds back every change to
   * it, once every group that read the marks before has ended (see {@code TableCopyGate}).
   */
  public void markCopying(TableId table) throws SQLException {
    TableCopyGate.mark(connection, dialect, source, table, TableCopyGate.State.COPYING, Optional.empty());
    connection.commit();
  }

  /**
   * Marks {@code table} COPIED at {@code snapshot} and commits: the applier skips the table's
   * changes of transactions before {@code snapshot} (the copy holds them) and applies later ones.
   * On a read-only replica a table the copy created gets its guard first.
   */
  public void markCopied(TableId table, SourcePosition snapshot) throws SQLException {
    dialect.guardNewTables(connection);
    TableCopyGate.mark(connection, dialect, source, table, TableCopyGate.State.COPIED, Optional.of(snapshot));
    connection.commit();
  }
}
