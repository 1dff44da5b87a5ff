package dev.ferry.capture.postgres;

import dev.ferry.capture.ResumePoint;
import dev.ferry.capture.TransactionSink;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.LogicalType;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns decoded pgoutput messages into journal transactions, in commit order, into a
 * {@link TransactionSink}. Drops transactions the sink already holds (commit LSN at or before
 * the last one appended), writes large ones in chunks as they are decoded, turns
 * {@code ferry.ddl} messages into {@link Change.Ddl} at their place, and ends each transaction
 * that touched a table owning a sequence with that sequence's {@link Change.SequenceAdvance}.
 *
 * <p>Not thread-safe: fed by the capture thread only. Survives reconnects (relations are
 * re-sent by the server on a new stream).
 */
final class TransactionBuilder {
  /** A transaction handed to the sink (or dropped): confirm {@code endLsn} once {@code durable} is done. */
  record Pending(long endLsn, CompletableFuture<?> durable) {
  }

  /** A relation as the stream described it; {@code columns} is immutable, so changes share it uncopied. */
  private record Rel(int relId, TableId table, List<Column> columns) {
  }

  private static final Logger LOG = LoggerFactory.getLogger(TransactionBuilder.class);
  private static final Instant PG_EPOCH = Instant.parse("2000-01-01T00:00:00Z");

  private final PostgresSourceConfig config;
  private final TransactionSink sink;
  private final Catalog catalog;
  private final SequenceValues sequenceValues;
  private final Map<Integer, Rel> relations = new HashMap<>();
  private final Map<Integer, String> typeNames = new HashMap<>();
  private final DdlMessage ddlMessages = new DdlMessage();
  /** The relation of the last row change: pgbench-like streams alternate between few tables. */
  private Rel lastRel;

  private long lastAppendedCommitLsn;
  private long nextSeq;
  private long schemaSequence;

  private boolean open;
  private boolean skipping;
  private boolean ddl;
  private final List<Change> changes = new ArrayList<>();
  private long bytes;
  /** Relation ids touched by the open transaction, in first-touch order ({@code touchedCount} of them). */
  private int[] touched = new int[8];
  private int touchedCount;
  /** The same ids as a set, once a transaction touched more than 16 relations; else null. */
  private Set<Integer> touchedIndex;
  private TransactionSink.LargeTransaction large;
  private Gtid gtid;
  private final long startedNanos = System.nanoTime();
  private boolean announced;
  /** Origins whose skipping was logged, once each. */
  private final Set<String> toldOrigins = new HashSet<>();

  TransactionBuilder(PostgresSourceConfig config, TransactionSink sink, Catalog catalog,
      Optional<ResumePoint> resume) {
    this.config = config;
    this.sink = sink;
    this.catalog = catalog;
    this.sequenceValues = new SequenceValues(catalog);
    this.nextSeq = resume.map(r -> r.gtid().seq() + 1).orElse(1L);
    this.schemaSequence = resume.map(ResumePoint::schemaSequence).orElse(0L);
    this.lastAppendedCommitLsn = resume.map(r -> r.position().value()).orElse(0L);
  }

  /** Feeds one message; returns the pending commit when the message ends a transaction. */
  Optional<Pending> accept(PgOutput.Message message) throws SQLException {
    switch (message) {
      case PgOutput.Begin b -> begin(b);
      case PgOutput.Commit c -> {
        return Optional.of(commit(c));
      }
      case PgOutput.Relation r -> relation(r);
      case PgOutput.Type t -> typeNames.put(t.typeOid(), t.namespace().isEmpty() ? t.name() : t.namespace() + "." + t.name());
      case PgOutput.Insert i -> insert(i);
      case PgOutput.Update u -> update(u);
      case PgOutput.Delete d -> delete(d);
      case PgOutput.Truncate t -> truncate(t);
      case PgOutput.LogicalMessage m -> message(m);
      case PgOutput.Origin o -> origin(o);
    }
    return Optional.empty();
  }

  /** True while a transaction has begun and not committed. */
  boolean inTransaction() {
    return open;
  }

  /** The connection broke in the middle of a transaction: forget it; the server sends it again. */
  void abandon() {
    if (large != null) {
      large.abort();
      nextSeq--;
    }
    reset();
  }

  private void begin(PgOutput.Begin b) {
    if (open) {
      throw new IllegalStateException(config.side() + " BEGIN of xid " + b.xid() + " inside an open transaction");
    }
    reset();
    open = true;
    // BEGIN carries the commit LSN: a transaction at or before the last appended one is a re-send.
    skipping = Long.compareUnsigned(b.finalLsn(), lastAppendedCommitLsn) <= 0;
  }

  /**
   * pgoutput sends Origin right after Begin when the transaction was written by a session with a
   * replication origin (Ferry's or PostgreSQL's own apply): such a transaction is a replicated one,
   * skipped unless {@code forward-origins} is set, so it never loops back (docs/failover.md#loops).
   */
  private void origin(PgOutput.Origin o) {
    if (!open || config.forwardOrigins() || skipping) {
      return;
    }
    if (!changes.isEmpty() || large != null) {
      throw new IllegalStateException(config.side() + " origin message '" + o.name() + "' after changes");
    }
    skipping = true;
    if (toldOrigins.add(o.name())) {
      LOG.info("{} skipping transactions applied under replication origin '{}' (replicated, not local writes; "
          + "set source.forward-origins: true to capture them)", config.side(), o.name());
    }
  }

  private Pending commit(PgOutput.Commit c) throws SQLException {
    try {
      if (skipping || (changes.isEmpty() && large == null)) {
        return new Pending(c.endLsn(), CompletableFuture.completedFuture(null));
      }
      addSequenceAdvances();
      Instant time = PG_EPOCH.plus(c.commitTimeMicros(), java.time.temporal.ChronoUnit.MICROS);
      SourcePosition position = SourcePosition.pgLsn(c.commitLsn());
      CompletableFuture<?> durable;
      if (large != null) {
        large.append(List.copyOf(changes));
        durable = large.commit(time, schemaSequence, position);
      } else {
        durable = sink.append(new Transaction(gtid(), time, schemaSequence, position, changes));
      }
      lastAppendedCommitLsn = c.commitLsn();
      announceFirst(position);
      if (ddl) {
        catalog.warnUnpublished();
      }
      return new Pending(c.endLsn(), durable);
    } finally {
      reset();
    }
  }

  /**
   * Logs the first transaction handed to the sink after start, with how long that took: after a
   * restart it shows at once whether capture waited for something (docs/postgres-capture.md).
   */
  private void announceFirst(SourcePosition position) {
    if (!announced) {
      LOG.info("{} first transaction since start: {} at {}, {} ms after capture started", config.side(),
          gtid, position, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
      announced = true;
    }
  }

  private void reset() {
    open = false;
    skipping = false;
    ddl = false;
    changes.clear();
    bytes = 0;
    touchedCount = 0;
    touchedIndex = null;
    sequenceValues.reset();
    large = null;
    gtid = null;
  }

  private Gtid gtid() {
    if (gtid == null) {
      gtid = new Gtid(config.gtidDomain(), config.serverId(), nextSeq++);
    }
    return gtid;
  }

  private void add(int relId, Change change, List<Value> values) {
    if (!open) {
      throw new IllegalStateException(config.side() + " row change outside a transaction");
    }
    if (skipping) {
      return;
    }
    if (relId >= 0) {
      touch(relId);
    }
    changes.add(change);
    for (int i = 0, n = values.size(); i < n; i++) {
      bytes += values.get(i) instanceof Value.Text t ? t.value().length() * 2L : 8;
    }
    if (changes.size() >= config.chunkChanges() || bytes >= config.chunkBytes()) {
      if (large == null) {
        large = sink.beginLarge(gtid());
      }
      large.append(List.copyOf(changes));
      changes.clear();
      bytes = 0;
    }
  }

  /** Remembers a relation the open transaction touched: a scan of a few ints, a set beyond 16. */
  private void touch(int relId) {
    if (touchedIndex != null) {
      if (touchedIndex.add(relId)) {
        appendTouched(relId);
      }
      return;
    }
    for (int i = 0; i < touchedCount; i++) {
      if (touched[i] == relId) {
        return;
      }
    }
    appendTouched(relId);
    if (touchedCount > 16) {
      touchedIndex = new HashSet<>();
      for (int i = 0; i < touchedCount; i++) {
        touchedIndex.add(touched[i]);
      }
    }
  }

  private void appendTouched(int relId) {
    if (touchedCount == touched.length) {
      touched = Arrays.copyOf(touched, touchedCount * 2);
    }
    touched[touchedCount++] = relId;
  }

  private void insert(PgOutput.Insert i) throws SQLException {
    Rel rel = rel(i.relId());
    add(i.relId(), new Change.Insert(rel.table(), rel.columns(), i.row()), i.row());
    if (!skipping) {
      sequenceValues.wrote(i.relId(), rel.columns(), i.row());
    }
  }

  private void delete(PgOutput.Delete d) {
    Rel rel = rel(d.relId());
    add(d.relId(), new Change.Delete(rel.table(), rel.columns(), oldImage(d.oldKind()), d.old()), d.old());
  }

  private void relation(PgOutput.Relation r) throws SQLException {
    List<Column> columns = new ArrayList<>(r.columns().size());
    for (PgOutput.RelColumn col : r.columns()) {
      Optional<String> fallback = Optional.ofNullable(typeNames.get(col.typeOid()));
      String typeName = catalog.typeName(col.typeOid(), col.typmod(), fallback);
      columns.add(new Column(col.name(), typeName, col.typeOid(), LogicalType.ofPostgres(col.typeOid(), typeName)));
    }
    relations.put(r.relId(), new Rel(r.relId(), new TableId(r.namespace(), r.name()), List.copyOf(columns)));
    lastRel = null;
    catalog.forgetSequences();
  }

  private Rel rel(int relId) {
    Rel last = lastRel;
    if (last != null && last.relId() == relId) {
      return last;
    }
    Rel rel = relations.get(relId);
    if (rel == null) {
      throw new IllegalStateException(config.side() + " change to relation " + relId
          + " before its RELATION message");
    }
    lastRel = rel;
    return rel;
  }

  private void update(PgOutput.Update u) throws SQLException {
    Rel rel = rel(u.relId());
    add(u.relId(), new Change.Update(rel.table(), rel.columns(), oldImage(u.oldKind()), u.old(), u.row()), u.row());
    if (!skipping) {
      sequenceValues.wrote(u.relId(), rel.columns(), u.row());
    }
  }

  private static Change.OldImage oldImage(char kind) {
    return switch (kind) {
      case 'K' -> Change.OldImage.KEY;
      case 'O' -> Change.OldImage.FULL;
      default -> Change.OldImage.NONE;
    };
  }

  private void truncate(PgOutput.Truncate t) throws SQLException {
    List<TableId> tables = t.relIds().stream().map(id -> rel(id).table()).toList();
    add(-1, new Change.Truncate(tables, t.cascade(), t.restartIdentity()), List.of());
    if (t.restartIdentity() && !skipping) {
      for (int relId : t.relIds()) {
        sequenceValues.restarted(relId);
      }
    }
  }

  private void message(PgOutput.LogicalMessage m) {
    if (!m.transactional()) {
      // Non-transactional messages are not part of any transaction; Ferry does not journal them.
      return;
    }
    if (m.prefix().equals(FerrySchema.DDL_PREFIX)) {
      if (!skipping) {
        Change.Ddl ddl = ddl(m.content());
        schemaSequence = ddl.schemaSequence();
        this.ddl = true;
        catalog.forgetSequences();
        add(-1, ddl, List.of());
      }
      return;
    }
    add(-1, new Change.Message(m.prefix(), true, m.content()), List.of());
  }

  private Change.Ddl ddl(byte[] content) {
    try {
      return ddlMessages.parse(content);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(config.side() + " malformed ferry.ddl message: " + e.getMessage()
          + ": " + new String(content, StandardCharsets.UTF_8), e);
    }
  }

  private void addSequenceAdvances() throws SQLException {
    changes.addAll(sequenceValues.advances(touched, touchedCount));
  }
}
