package dev.ferry.capture.binlog;

import dev.ferry.capture.CaptureException;
import dev.ferry.capture.TransactionSink;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the binlog events of one MariaDB transaction (its GTID event, table maps, row events,
 * its XID or COMMIT, or the DDL statement that is a group of its own) into one journal
 * transaction carrying MariaDB's GTID. Every transaction of the server becomes one, empty when it
 * touched no captured table, so the journal's GTIDs are the server's binlog history. A
 * transaction whose GTID the journal already holds (a re-read after a restart) is dropped.
 * Transactions with more than {@code chunkChanges} changes go to the sink in chunks. Rows of a
 * SEQUENCE (its state, logged at each refill of its cache) become {@link Change.SequenceAdvance}s.
 *
 * <p>A transaction that writes Ferry's progress table ({@value BinlogCatalog#PROGRESS_TABLE}, in any database)
 * was applied by Ferry: a MariaDB replica's apply commits its progress row in the same InnoDB
 * transaction as the changes. Unless {@code forwardApplied}, its changes are dropped and it goes to
 * the sink empty (its GTID still advances the resume point), so a database that is both a Ferry
 * target and a captured source sends nothing back (docs/failover.md#loops). So does a DDL statement
 * that ends with Ferry's mark ({@value BinlogCatalog#APPLIED_DDL_MARK}): MariaDB commits DDL in a
 * group of its own, without the progress row. Not thread-safe: fed
 * by the binlog client's thread.
 */
final class TransactionAssembler {
  private static final Logger LOG = LoggerFactory.getLogger(TransactionAssembler.class);

  /**
   * What is known of a binlog table id from its TABLE_MAP event: the column names only with
   * {@code binlog_row_metadata=FULL} (else empty).
   */
  private record Mapped(String database, String table, List<String> columnNames) {
  }

  private final String source;
  private final BinlogCatalog catalog;
  private final Connection catalogConnection;
  private final TransactionSink sink;
  private final int chunkChanges;
  private final boolean forwardApplied;
  private final Map<Long, Gtid> lastByDomain;
  private final Map<Long, Mapped> tableMaps = new HashMap<>();
  private final java.util.Set<String> toldSequences = new java.util.HashSet<>();
  private long schemaSequence;
  private Gtid lastCommitted;
  private Gtid gtid;
  private boolean skipping;
  private boolean applied;
  private boolean toldApplied;
  private List<Change> changes = new ArrayList<>();
  private TransactionSink.LargeTransaction large;

  TransactionAssembler(String source, BinlogCatalog catalog, Connection catalogConnection, TransactionSink sink,
      int chunkChanges, boolean forwardApplied, Map<Long, Gtid> lastByDomain, long schemaSequence) {
    this.source = source;
    this.catalog = catalog;
    this.catalogConnection = catalogConnection;
    this.sink = sink;
    this.chunkChanges = chunkChanges;
    this.forwardApplied = forwardApplied;
    this.lastByDomain = new HashMap<>(lastByDomain);
    this.schemaSequence = schemaSequence;
  }

  /** The schema sequence of the last transaction (advanced by each captured DDL statement). */
  long schemaSequence() {
    return schemaSequence;
  }

  /** The GTID of the transaction handed to the sink last. */
  Gtid lastCommitted() {
    return lastCommitted;
  }

  /** The last GTID handed to the sink in each domain. */
  Map<Long, Gtid> lastByDomain() {
    return Map.copyOf(lastByDomain);
  }

  /** A GTID event: a transaction starts. A transaction left open (a lost connection) is dropped. */
  void begin(Gtid next) {
    abandon();
    gtid = next;
    Gtid last = lastByDomain.get(next.domain());
    skipping = last != null && next.seq() <= last.seq();
  }

  /** The connection was lost or closed: what was collected of an unfinished transaction is dropped. */
  void abandon() {
    if (large != null) {
      large.abort();
      large = null;
    }
    changes = new ArrayList<>();
    gtid = null;
    applied = false;
  }

  void tableMap(long tableId, String database, String table, List<String> columnNames) {
    Mapped known = tableMaps.get(tableId);
    // A table map precedes every row event: most repeat the last one of their table id.
    if (known == null || !known.table().equals(table) || !known.database().equals(database)
        || !known.columnNames().equals(columnNames)) {
      tableMaps.put(tableId, new Mapped(database, table, List.copyOf(columnNames)));
    }
  }

  /** Row events: {@code before} is null for inserts, {@code after} null for deletes. */
  void rows(long tableId, List<Serializable[]> before, List<Serializable[]> after) throws SQLException,
      CaptureException {
    Mapped m = tableMaps.get(tableId);
    if (gtid != null && m != null && !forwardApplied && m.table().equals(BinlogCatalog.PROGRESS_TABLE)) {
      applied = true;
    }
    if (gtid == null || skipping || applied || m == null || !catalog.captures(m.database(), m.table())) {
      return;
    }
    if (catalog.isSequence(catalogConnection, m.table(), m.columnNames())) {
      sequenceRows(m.table(), after);
      return;
    }
    BinlogCatalog.Shape shape = shapeOf(m, before == null ? after.get(0) : before.get(0));
    int n = before == null ? after.size() : before.size();
    for (int i = 0; i < n; i++) {
      List<Value> old = before == null ? List.of() : values(shape, before.get(i));
      List<Value> row = after == null ? List.of() : values(shape, after.get(i));
      TableId id = shape.id();
      Change change = before == null ? new Change.Insert(id, shape.journalColumns(), row)
          : after == null ? new Change.Delete(id, shape.journalColumns(), Change.OldImage.FULL, old)
          : new Change.Update(id, shape.journalColumns(), Change.OldImage.FULL, old, row);
      add(change);
    }
  }

  /**
   * The rows of a SEQUENCE are its state, not data: each new row (a refill of its cache, a {@code
   * SETVAL}, an {@code ALTER SEQUENCE}) is a {@link Change.SequenceAdvance} to the last value the
   * source may have handed out, {@code next_not_cached_value} less one increment ({@code INCREMENT 0}
   * steps by {@code auto_increment_increment}, at least 1: less 1 is still at or above every value
   * handed out). A replica's sequence set there hands out only values the source never did.
   */
  private void sequenceRows(String sequence, List<Serializable[]> after) throws CaptureException {
    if (after == null) {
      return;
    }
    for (Serializable[] row : after) {
      if (row.length != BinlogCatalog.SEQUENCE_COLUMNS.size() || !(row[0] instanceof Number next)
          || !(row[4] instanceof Number increment)) {
        throw new CaptureException(source, "a binlog row of sequence " + sequence + " in transaction " + gtid + " has "
            + row.length + " columns, not a sequence's " + BinlogCatalog.SEQUENCE_COLUMNS);
      }
      long step = increment.longValue() == 0 ? 1 : increment.longValue();
      add(new Change.SequenceAdvance(BinlogCatalog.tableId(sequence), next.longValue() - step));
      if (toldSequences.add(sequence)) {
        LOG.info("[source {}] {} is a SEQUENCE: its binlog rows are journaled as sequence advances (first in {}: the"
            + " value {}), not as rows of a table", source, sequence, gtid, next.longValue() - step);
      }
    }
  }

  private BinlogCatalog.Shape shapeOf(Mapped m, Serializable[] row) throws SQLException, CaptureException {
    String table = m.table();
    Optional<BinlogCatalog.Shape> shape = catalog.shape(catalogConnection, table);
    if (shape.isEmpty() || shape.get().columns().size() != row.length) {
      catalog.forget();
      shape = catalog.shape(catalogConnection, table);
    }
    if (shape.isPresent() && shape.get().columns().size() != row.length) {
      // Written before an ALTER TABLE capture read the catalog after: the TABLE_MAP names the row's columns.
      shape = shape.get().select(m.columnNames()).filter(s -> s.columns().size() == row.length);
    }
    if (shape.isEmpty() || shape.get().columns().size() != row.length) {
      throw new CaptureException(source, "a binlog row of table " + table + " in transaction " + gtid + " has "
          + row.length + " columns, the table has " + catalog.shape(catalogConnection, table)
              .map(s -> s.columns().size() + "").orElse("none")
          + " now: its shape changed after the row was written, and the binlog does not name the row's columns"
          + " (binlog_row_metadata=FULL names them) or names one the table no longer has; re-initialise the"
          + " replicas from a new snapshot (see docs/mariadb-capture.md)");
    }
    return shape.get();
  }

  private List<Value> values(BinlogCatalog.Shape shape, Serializable[] raw) throws CaptureException {
    List<Value> out = new ArrayList<>(raw.length);
    for (int i = 0; i < raw.length; i++) {
      out.add(BinlogValues.of(raw[i], shape.columns().get(i), source, shape.id().name(), gtid));
    }
    return out;
  }

  private void add(Change change) {
    changes.add(change);
    if (changes.size() >= chunkChanges) {
      if (large == null) {
        large = sink.beginLarge(gtid);
      }
      large.append(changes);
      changes = new ArrayList<>();
    }
  }

  /**
   * A statement event outside row events: {@code BEGIN} is skipped, {@code COMMIT} ends the
   * transaction, anything else in a transaction is DDL (MariaDB logs it as a group of its own),
   * which ends it too.
   *
   * @return the sink's future of the ended transaction, if one ended
   */
  Optional<CompletableFuture<?>> statement(String database, String sql, Instant at, SourcePosition position) {
    String text = sql.strip();
    if (gtid == null || text.equalsIgnoreCase("BEGIN")) {
      return Optional.empty();
    }
    if (!text.equalsIgnoreCase("COMMIT")) {
      catalog.forget();
      if (!forwardApplied && text.endsWith(BinlogCatalog.APPLIED_DDL_MARK)) {
        applied = true;
      } else if (!skipping) {
        DdlStatements.change(text, database, catalog, () -> ++schemaSequence).ifPresent(changes::add);
      }
    }
    return commit(at, position);
  }

  /** An XID event: the transaction committed. */
  Optional<CompletableFuture<?>> commit(Instant at, SourcePosition position) {
    if (gtid == null) {
      return Optional.empty();
    }
    Gtid done = gtid;
    SourcePosition where = position.withSourceGtid(done);
    CompletableFuture<?> durable = null;
    if (!skipping) {
      if (applied) {
        dropApplied(done);
      }
      if (large != null) {
        if (!changes.isEmpty()) {
          large.append(changes);
        }
        durable = large.commit(at, schemaSequence, where);
        large = null;
      } else {
        durable = sink.append(new Transaction(done, at, schemaSequence, where, changes));
      }
      lastByDomain.put(done.domain(), done);
      lastCommitted = done;
    }
    changes = new ArrayList<>();
    gtid = null;
    applied = false;
    return Optional.ofNullable(durable);
  }

  /** Ferry applied {@code done} here: it goes to the journal without its changes. */
  private void dropApplied(Gtid done) {
    if (large != null) {
      large.abort();
      large = null;
    }
    changes = new ArrayList<>();
    if (!toldApplied) {
      toldApplied = true;
      LOG.info("[source {}] skipping the changes of transactions that write {} and DDL marked '{}' (applied by Ferry,"
          + " not local writes; first {}; set source.forward-origins: true to capture them)", source,
          BinlogCatalog.PROGRESS_TABLE, BinlogCatalog.APPLIED_DDL_MARK, done);
    }
  }
}
