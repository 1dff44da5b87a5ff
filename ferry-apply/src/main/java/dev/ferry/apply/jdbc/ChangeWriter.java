package dev.ferry.apply.jdbc;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ConflictPolicy;
import dev.ferry.apply.dialect.BulkLoader;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import dev.ferry.sql.SqlErrorText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the changes of source transactions on an open target transaction: row changes as cached
 * prepared statements in JDBC batches, long runs of inserts through the dialect's bulk path;
 * conflicts detected by affected-row counts and resolved by the policy. Not thread-safe; the caller
 * owns commit and rollback.
 *
 * <p>Exact mode ({@code deferred = false}) batches only consecutive changes of one statement and
 * runs them by the end of each source transaction, so a conflict or error belongs to the
 * transaction being applied. Deferred mode keeps one batch open per statement across the source
 * transactions of a group, until {@link #flushPending()} (group commit), a size bound, or a change
 * whose order matters: one that touches a key pending in another batch of its table (any change of
 * a keyless table), or a truncate, sequence, DDL or bulk load. Batches of different tables, or of
 * disjoint keys, commute: PostgreSQL sessions run without triggers and foreign-key checks, SQLite
 * without foreign keys; a clash on another unique constraint fails loudly. In deferred mode a
 * statement that affects no row throws {@link StopApply} instead of resolving the conflict: the
 * caller replays the group in exact mode, which finds and attributes it.
 */
final class ChangeWriter {
  private static final Logger log = LoggerFactory.getLogger(ChangeWriter.class);
  /** Inserts into one table in a row, from which the bulk path (COPY) pays off. */
  static final int BULK_THRESHOLD = 64;

  private final ApplyConfig config;
  final Dialect dialect;
  final RowSql sql;
  private final StatementCache cache;
  final InstantSource clock;
  private final Map<TableId, TableInfo> tables = new HashMap<>();
  private final ConflictLog conflictLog;
  private final GuardedRows guarded = new GuardedRows(this);
  private final SequenceAdvances sequences = new SequenceAdvances();
  /** How far into the transaction an earlier attempt committed, on a target whose DDL commits on its own. */
  final DdlSteps steps;
  Connection connection;
  Transaction tx;
  private final List<ConflictRecord> conflicts = new ArrayList<>();
  private final WriteSet open = new WriteSet();
  final RowPlanner planner;
  private boolean deferred;
  private boolean bulk;
  private TableId currentTable;
  private String currentStatement;
  /** The columns the current statement's parameters stand for, in order (empty if unknown). */
  private List<String> currentParameters = List.of();
  private boolean bulkUsed;
  /** Whether the open target transaction has deferred its deferrable constraints. */
  private boolean constraintsDeferred;

  ChangeWriter(ApplyConfig config, Dialect dialect, StatementCache cache, ConflictLog conflictLog,
      InstantSource clock) {
    this.config = config;
    this.dialect = dialect;
    this.sql = new RowSql(dialect);
    this.planner = new RowPlanner(config.side(), dialect, sql);
    this.cache = cache;
    this.conflictLog = conflictLog;
    this.clock = clock;
    this.steps = new DdlSteps(dialect, config.source());
  }

  /** Uses {@code c} from now on (a new connection after a lost one); forgets cached table shapes. */
  void bind(Connection c) {
    connection = c;
    cache.bind(c);
    tables.clear();
  }

  /** Forgets table shapes and statements (after DDL). */
  void invalidate() {
    cache.close();
    tables.clear();
  }

  /** Whether the bulk path ran since {@link #resetBulkUsed()} (its errors name no row). */
  boolean bulkUsed() {
    return bulkUsed;
  }

  void resetBulkUsed() {
    bulkUsed = false;
  }

  Optional<TableId> currentTable() {
    return Optional.ofNullable(currentTable);
  }

  Optional<String> currentStatement() {
    return Optional.ofNullable(currentStatement);
  }

  /** Names what runs now, for errors (a set-based run of a large transaction). */
  void running(TableId table, String statement) {
    running(table, statement, List.of());
  }

  /** As {@link #running(TableId, String)}, with the columns its parameters stand for. */
  void running(TableId table, String statement, List<String> parameters) {
    currentTable = table;
    currentStatement = statement;
    currentParameters = parameters;
  }

  /** {@code error} for a message, its parameters named by the columns they stand for ({@code $2} → the column). */
  String describe(SQLException error) {
    return SqlErrorText.describe(error, currentParameters);
  }

  /** "cannot apply {@code gtid} to the table: the error; statement: …", naming what ran. */
  String cannotApply(Gtid gtid, SQLException e, int attempts) {
    return failure("cannot apply " + gtid + currentTable().map(t -> " to " + t).orElse(""), e, attempts);
  }

  /** "{@code what}: the error; statement: …", naming the statement that ran. */
  String failure(String what, SQLException e, int attempts) {
    return what + ": " + describe(e)
        + currentStatement().map(st -> "; statement: " + st).orElse("")
        + (attempts > 1 ? " (after " + attempts + " attempts)" : "");
  }

  /**
   * Starts applying a large {@code transaction} part by part: forgets batches a failed attempt left,
   * reads how far an earlier attempt committed ({@link DdlSteps}).
   */
  void start(Transaction transaction) throws SQLException {
    steps.begin(connection, transaction, true);
    open.clear();
    guarded.discard();
    constraintsDeferred = false;
    tx = transaction;
    currentTable = null;
    currentStatement = null;
    currentParameters = List.of();
  }

  /** Drops batches not yet run (the target transaction was rolled back). */
  void discard() {
    open.clear();
    guarded.discard();
    constraintsDeferred = false;
  }

  /**
   * Applies {@code transaction}'s changes in {@code mode}. In exact mode they have all run
   * when it returns; in deferred mode some may wait in open batches for {@link #flushPending()}.
   * Returns the conflicts it resolved (already written to the conflicts table in the same target
   * transaction); deferred mode resolves none.
   *
   * @throws StopApply if a conflict under the stop policy or a refused DDL ends it; in deferred
   *     mode also for any statement that affected no row
   */
  List<ConflictRecord> apply(Transaction transaction, ApplyMode mode) throws SQLException, StopApply {
    steps.begin(connection, transaction);
    List<ConflictRecord> resolved = apply(transaction, transaction.changes(), mode);
    steps.finish(connection);
    if (mode.deferred()) {
      return resolved;
    }
    settle();
    return List.copyOf(conflicts);
  }

  /**
   * As {@link #apply(Transaction, ApplyMode)} for {@code changes}, a part of {@code
   * transaction}'s changes (whose own list is not read): a large transaction is applied part by
   * part.
   */
  List<ConflictRecord> apply(Transaction transaction, List<Change> changes, ApplyMode mode)
      throws SQLException, StopApply {
    if (!mode.deferred()) {
      open.clear(); // a failed earlier attempt may have left rows behind
    }
    DdlGate.check(dialect, config, transaction, changes);
    this.deferred = mode.deferred();
    this.bulk = mode.bulk();
    tx = transaction;
    conflicts.clear();
    currentTable = null;
    currentStatement = null;
    currentParameters = List.of();
    for (int i = 0; i < changes.size(); i++) {
      Change change = changes.get(i);
      if (steps.committed(change)) {
        continue;
      }
      switch (change) {
        case Change.Insert insert when !config.filter().accepts(insert.table()) -> { }
        case Change.Insert insert -> {
          int run = bulk ? bulkRun(changes, i) : 0;
          if (run >= BULK_THRESHOLD && copy(changes.subList(i, i + run))) {
            i += run - 1;
          } else {
            add(planner.insert(tx.gtid(), table(insert.table()), insert));
          }
        }
        case Change.Update update when !config.filter().accepts(update.table()) -> { }
        case Change.Update update -> add(planner.update(tx.gtid(), table(update.table()), update));
        case Change.Delete delete when !config.filter().accepts(delete.table()) -> { }
        case Change.Delete delete -> add(planner.delete(tx.gtid(), table(delete.table()), delete));
        case Change.Truncate truncate -> truncate(truncate);
        case Change.Ddl ddl -> ddl(ddl);
        case Change.SequenceAdvance advance -> sequence(advance);
        case Change.Message message -> log.debug("{} {} carries a message with prefix '{}'; not applied",
            config.side(), tx.gtid(), message.prefix());
      }
    }
    if (!deferred) {
      flushPending();
    }
    return List.copyOf(conflicts);
  }

  private int bulkRun(List<Change> changes, int from) {
    Change.Insert first = (Change.Insert) changes.get(from);
    int end = from;
    while (end < changes.size() && changes.get(end) instanceof Change.Insert next
        && next.table().equals(first.table()) && next.columns().equals(first.columns())
        && !next.row().contains(Value.UNCHANGED)) {
      end++;
    }
    return end - from;
  }

  private boolean copy(List<Change> inserts) throws SQLException, StopApply {
    settle();
    Change.Insert first = (Change.Insert) inserts.getFirst();
    TableInfo table = table(first.table());
    for (Column column : first.columns()) {
      planner.targetColumn(tx.gtid(), table, column.name());
    }
    List<List<Value>> rows = new ArrayList<>(inserts.size());
    inserts.forEach(c -> rows.add(((Change.Insert) c).row()));
    currentStatement = "COPY " + table.sqlName() + " (" + inserts.size() + " rows)";
    bulkUsed = true;
    Optional<BulkLoader> loader = dialect.bulkLoader();
    if (loader.isEmpty()) {
      return false;
    }
    loader.get().load(connection, table, first.columns(), rows);
    return true;
  }

  private void truncate(Change.Truncate truncate) throws SQLException, StopApply {
    settle();
    List<TableId> accepted = truncate.tables().stream().filter(config.filter()::accepts).toList();
    if (accepted.isEmpty()) {
      return;
    }
    for (TableId t : accepted) {
      table(t);
    }
    currentStatement = "TRUNCATE " + accepted;
    dialect.catalog().truncate(connection, accepted, truncate.cascade(), truncate.restartIdentity());
  }

  private void sequence(Change.SequenceAdvance advance) throws SQLException, StopApply {
    settle();
    if (!config.filter().accepts(advance.sequence())) {
      return;
    }
    currentTable = advance.sequence();
    currentStatement = "advance sequence to " + advance.value();
    sequences.advance(dialect.catalog(), connection, advance.sequence(), advance.value(), config.side());
  }

  private void ddl(Change.Ddl ddl) throws SQLException, StopApply {
    settle();
    currentTable = null;
    currentStatement = ddl.command();
    if (config.skipDdl()) {
      log.info("{} {}: skipping DDL (skip-ddl is set): {}", config.side(), tx.gtid(), ddl.command());
      return;
    }
    if (DdlGate.leftOut(config, ddl, tx.sourcePosition().kind())) {
      log.info("{} {}: DDL left out, as its tables are by this replica's tables filter: {}", config.side(), tx.gtid(),
          ddl.command());
      return;
    }
    if (!ddl.replayable() && !checkedDdl(ddl)) {
      throw new StopApply(config.side(), notReplayable(ddl), null, null);
    }
    steps.beforeDdl(connection);
    try {
      dialect.applyDdl(connection, ddl, tx.sourcePosition().kind());
    } catch (SQLException e) {
      if (!dialect.refusedDdlStopsWithAdvice()) {
        throw e;
      }
      throw new StopApply(config.side(), "cannot apply " + tx.gtid() + ": the "
          + dialect.name() + " target cannot take the DDL '" + ddl.command() + "': " + SqlErrorText.describe(e)
          + "; run the equivalent DDL on the replica by hand and set skip-ddl: true for this replica to go past it"
          + " (see docs/apply.md)", null, null);
    } finally {
      invalidate();
    }
  }

  /** Whether the dialect maps {@code ddl} itself ({@link DdlGate} has checked that it can). */
  private boolean checkedDdl(Change.Ddl ddl) {
    try {
      return dialect.checkDdl(ddl, tx.sourcePosition().kind());
    } catch (dev.ferry.apply.dialect.UnmappableDdlException e) {
      return false;
    }
  }

  /** Ferry never replays the text of the statement a DDL ran inside: it may hold other work too. */
  private String notReplayable(Change.Ddl ddl) {
    return "cannot apply " + tx.gtid() + ": its DDL ran on the source inside "
        + "another statement, whose text Ferry does not replay (it may do more than the DDL); the DDL: '"
        + ddl.command() + "'; it ran inside: '" + ddl.ranInside().orElse("") + "'. Run the equivalent DDL on this "
        + "replica by hand, then set skip-ddl: true for this replica and restart until it has applied " + tx.gtid()
        + ", then remove skip-ddl (see docs/apply.md, 'DDL that ran inside a function')";
  }

  TableInfo table(TableId id) throws SQLException, StopApply {
    currentTable = id;
    TableInfo info = tables.get(id);
    if (info == null) {
      info = dialect.catalog().describe(connection, id)
          .orElseThrow(() -> stop(id, "table " + dialect.syntax().tableName(id) + " does not exist on the target"));
      tables.put(id, info);
    }
    if (info.deferrableKey() && !constraintsDeferred) {
      dialect.deferConstraints(connection); // a key shift holds a key twice until the commit, as on the source
      constraintsDeferred = true;
    }
    return info;
  }

  private StopApply stop(TableId table, String what) {
    return planner.stop(tx.gtid(), table, what);
  }

  private void add(RowOp op) throws SQLException, StopApply {
    List<Object> keys = WriteSet.keys(op);
    if (open.mustRunBefore(op, keys, deferred)) {
      flushPending(); // in exact mode this may park rows (a key shift ran)
    }
    if (guarded.mustUnparkBefore(op)) {
      settle();
    }
    Optional<List<RowOp>> full = open.add(op, keys, deferred);
    if (full.isPresent()) {
      flush(full.get());
    }
  }

  /** Runs the open batches, oldest first. */
  void flushPending() throws SQLException, StopApply {
    for (Optional<List<RowOp>> batch = open.takeOldest(); batch.isPresent(); batch = open.takeOldest()) {
      flush(batch.get());
    }
  }

  /**
   * Runs the open batches, then puts back rows parked by a key shift (see {@link GuardedRows}):
   * at the end of a source transaction, and before a change that is not another key move.
   */
  void settle() throws SQLException, StopApply {
    flushPending();
    guarded.unpark();
  }

  StatementCache cache() {
    return cache;
  }

  Side side() {
    return config.side();
  }

  /** Runs one batch; rows a statement did not find are conflicts, resolved in change order. */
  private void flush(List<RowOp> done) throws SQLException, StopApply {
    if (deferred && bulk && done.size() >= BULK_THRESHOLD && dialect.setStatements().isPresent()
        && ArrayBatch.run(this, done)) {
      return; // one set-based statement; a row it did not find replays the group in exact mode
    }
    RowOp first = done.getFirst();
    currentTable = first.table().source();
    currentStatement = first.sql();
    currentParameters = RowPlanner.names(first.types());
    PreparedStatement ps = cache.get(first.sql());
    if (GuardedRows.needed(done, deferred)) {
      for (RowOp op : done) {
        if (guarded.mustUnparkBefore(op)) {
          guarded.unpark(); // the key shift before it is over
        }
        if (guarded.run(ps, op, deferred) == 0) {
          if (deferred) {
            throw new StopApply(config.side(), "a deferred " + first.sql() + " affected no row"
                + " for " + op.change() + "; replaying the group in exact mode", currentTable, null);
          }
          resolve(op);
        }
      }
      return;
    }
    int[] counts;
    if (done.size() == 1) {
      bindAll(ps, first);
      counts = new int[] {ps.executeUpdate()};
    } else {
      for (RowOp op : done) {
        bindAll(ps, op);
        ps.addBatch();
      }
      try {
        counts = ps.executeBatch();
      } finally {
        ps.clearBatch();
      }
    }
    for (int i = 0; i < done.size(); i++) {
      if (counts[i] == 0 && deferred) {
        throw new StopApply(config.side(), "a deferred " + first.sql() + " affected no row"
            + " for " + done.get(i).change() + "; replaying the group in exact mode", currentTable, null);
      }
      if (counts[i] == 0) {
        // It had no effect, so running it again now (after earlier resolutions) is safe.
        if (executeOn(ps, done.get(i)) == 0) {
          resolve(done.get(i));
        }
      }
    }
  }

  private void bindAll(PreparedStatement ps, RowOp op) throws SQLException {
    for (int i = 0; i < op.params().size(); i++) {
      dialect.values().bind(ps, i + 1, op.params().get(i), op.types().get(i));
    }
  }

  int executeOn(PreparedStatement ps, RowOp op) throws SQLException {
    bindAll(ps, op);
    return ps.executeUpdate();
  }

  int execute(RowOp op) throws SQLException {
    return execute(op.sql(), op);
  }

  int execute(String statement, RowOp op) throws SQLException {
    currentStatement = statement;
    currentParameters = RowPlanner.names(op.types());
    return executeOn(cache.get(statement), op);
  }

  private void resolve(RowOp op) throws SQLException, StopApply {
    ConflictResolver resolver = new ConflictResolver(this, op);
    ConflictRecord conflict = resolver.detect();
    ConflictPolicy policy = config.conflictPolicy();
    if (policy == ConflictPolicy.STOP) {
      ConflictRecord stopped = conflict.withResolution("stopped");
      throw new StopApply(config.side(), "cannot apply " + tx.gtid() + " to "
          + op.table().source() + ": " + conflict.describe(), op.table().source(), stopped);
    }
    String resolution = policy == ConflictPolicy.SKIP ? "skipped" : resolver.overwrite(conflict.type());
    record(conflict.withResolution(resolution));
  }

  ConflictPolicy policy() {
    return config.conflictPolicy();
  }

  /** Writes a resolved conflict in the open target transaction and counts it for this transaction. */
  void record(ConflictRecord resolved) throws SQLException {
    conflictLog.insert(connection, resolved);
    conflicts.add(resolved);
    log.warn("{} {} on {}: {}; {}", config.side(), resolved.gtid(), resolved.table(),
        resolved.describe(), resolved.resolution());
  }
}
