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
 * <p>With {@code streaming} on, the server also sends transactions still in progress, in blocks
 * of changes interleaved with other transactions; each goes to the sink as a streamed transaction
 * as its blocks arrive, and gets its GTID only at its Stream Commit, so GTIDs keep commit order.
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
  /** The transaction between BEGIN and COMMIT (one object, reused: its caches stay warm). */
  private final OpenTransaction normal;
  /** Where changes go: {@link #normal}, or inside a stream block that block's streamed transaction. */
  private OpenTransaction tx;
  /** Streamed transactions in progress, by top-level xid. */
  private final Map<Integer, OpenTransaction> streams = new HashMap<>();
  /** The streamed transaction whose block is being read, or null outside stream blocks. */
  private OpenTransaction block;
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
    this.normal = new OpenTransaction(catalog, 0);
    this.tx = normal;
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
      case PgOutput.StreamStart s -> streamStart(s);
      case PgOutput.StreamStop s -> streamStop();
      case PgOutput.InStream s -> inStream(s);
      case PgOutput.StreamCommit c -> {
        return Optional.of(streamCommit(c));
      }
      case PgOutput.StreamAbort a -> streamAbort(a);
    }
    return Optional.empty();
  }

  /** True while a transaction has begun and not committed, streamed ones included. */
  boolean inTransaction() {
    return open || !streams.isEmpty();
  }

  /** True between a Stream Start and its Stop: the next messages carry an xid. */
  boolean inStreamBlock() {
    return block != null;
  }

  /** The connection broke in the middle of a transaction: forget it; the server sends it again. */
  void abandon() {
    if (large != null) {
      large.abort();
      nextSeq--;
    }
    for (OpenTransaction s : streams.values()) {
      if (s.streamed != null) {
        s.streamed.abort();
      }
    }
    streams.clear();
    block = null;
    reset();
  }

  private void streamStart(PgOutput.StreamStart s) {
    if (open || block != null) {
      throw new IllegalStateException(config.side() + " STREAM START of xid " + s.xid() + " inside "
          + (open ? "an open transaction" : "the stream block of xid " + block.xid));
    }
    block = streams.computeIfAbsent(s.xid(), xid -> new OpenTransaction(catalog, xid));
    tx = block;
  }

  /** A stream block ends: its changes go to the sink now, so the journal holds what the server sent. */
  private void streamStop() {
    if (block == null) {
      throw new IllegalStateException(config.side() + " STREAM STOP outside a stream block");
    }
    writeStreamed(block);
    block = null;
    tx = normal;
  }

  private void writeStreamed(OpenTransaction s) {
    if (s.replicated) {
      s.takeChunk(); // skipped, as a replicated transaction that is not streamed is
      return;
    }
    if (s.changes.isEmpty()) {
      return;
    }
    if (s.streamed == null) {
      s.streamed = sink.beginStreamed(Integer.toUnsignedLong(s.xid));
    }
    List<Change> chunk = s.takeChunk();
    s.streamed.append(chunk);
    s.written += chunk.size();
  }

  private void inStream(PgOutput.InStream m) throws SQLException {
    if (block == null) {
      throw new IllegalStateException(config.side() + " streamed message of xid " + m.xid() + " outside a stream block");
    }
    if (!(m.message() instanceof PgOutput.Relation || m.message() instanceof PgOutput.Type)) {
      block.madeBy(m.xid());
    }
    accept(m.message());
  }

  private Pending streamCommit(PgOutput.StreamCommit c) throws SQLException {
    OpenTransaction s = streams.remove(c.xid());
    if (block != null) {
      throw new IllegalStateException(config.side() + " STREAM COMMIT of xid " + c.xid() + " inside a stream block");
    }
    if (s == null || Long.compareUnsigned(c.commitLsn(), lastAppendedCommitLsn) <= 0) {
      // Nothing captured, or a re-send of a transaction the sink holds (after a restart between
      // the journal's fsync and the slot's confirmation): its chunks are dropped.
      if (s != null && s.streamed != null) {
        s.streamed.abort();
      }
      return new Pending(c.endLsn(), CompletableFuture.completedFuture(null));
    }
    s.changes.addAll(s.sequenceValues.advances(s.touched, s.touchedCount));
    writeStreamed(s);
    if (s.streamed == null) {
      return new Pending(c.endLsn(), CompletableFuture.completedFuture(null));
    }
    if (s.ddlSchemaSequence >= 0) {
      schemaSequence = s.ddlSchemaSequence;
    }
    Instant time = PG_EPOCH.plus(c.commitTimeMicros(), java.time.temporal.ChronoUnit.MICROS);
    SourcePosition position = SourcePosition.pgLsn(c.commitLsn());
    gtid = new Gtid(config.gtidDomain(), config.serverId(), nextSeq++);
    CompletableFuture<?> durable = s.streamed.commit(gtid, time, schemaSequence, position, s.dropped());
    lastAppendedCommitLsn = c.commitLsn();
    announceFirst(position);
    if (s.ddl) {
      catalog.warnUnpublished();
    }
    gtid = null;
    return new Pending(c.endLsn(), durable);
  }

  /** The whole transaction (subxid = xid) or one subtransaction rolled back: what it made is dropped. */
  private void streamAbort(PgOutput.StreamAbort a) {
    OpenTransaction s = streams.get(a.xid());
    if (s == null) {
      return;
    }
    if (a.subxid() == a.xid()) {
      streams.remove(a.xid());
      if (s.streamed != null) {
        s.streamed.abort();
      }
    } else {
      s.rollBack(a.subxid());
    }
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
    if (config.forwardOrigins()) {
      return;
    }
    if (block != null) {
      // A streamed transaction's first block carries its origin: none of it reaches the journal.
      block.replicated = true;
    } else if (!open || skipping) {
      return;
    } else if (!normal.changes.isEmpty() || large != null) {
      throw new IllegalStateException(config.side() + " origin message '" + o.name() + "' after changes");
    } else {
      skipping = true;
    }
    if (toldOrigins.add(o.name())) {
      LOG.info("{} skipping transactions applied under replication origin '{}' (replicated, not local writes; "
          + "set source.forward-origins: true to capture them)", config.side(), o.name());
    }
  }

  private Pending commit(PgOutput.Commit c) throws SQLException {
    try {
      if (skipping || (normal.changes.isEmpty() && large == null)) {
        return new Pending(c.endLsn(), CompletableFuture.completedFuture(null));
      }
      addSequenceAdvances();
      if (normal.ddlSchemaSequence >= 0) {
        schemaSequence = normal.ddlSchemaSequence;
      }
      List<Change> changes = normal.changes;
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
      if (normal.ddl) {
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
    normal.reset();
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
    if (!open && block == null) {
      throw new IllegalStateException(config.side() + " row change outside a transaction");
    }
    if (skipping) {
      return;
    }
    tx.add(relId, change, values);
    if (tx.changes.size() >= config.chunkChanges() || tx.bytes >= config.chunkBytes()) {
      if (tx == block) {
        writeStreamed(block);
        return;
      }
      if (large == null) {
        large = sink.beginLarge(gtid());
      }
      large.append(tx.takeChunk());
    }
  }

  private void insert(PgOutput.Insert i) throws SQLException {
    Rel rel = rel(i.relId());
    add(i.relId(), new Change.Insert(rel.table(), rel.columns(), i.row()), i.row());
    if (!skipping) {
      tx.sequenceValues.wrote(i.relId(), rel.columns(), i.row());
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
      tx.sequenceValues.wrote(u.relId(), rel.columns(), u.row());
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
        tx.sequenceValues.restarted(relId);
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
        tx.ddlSchemaSequence = ddl.schemaSequence();
        tx.ddl = true;
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
    normal.changes.addAll(normal.sequenceValues.advances(normal.touched, normal.touchedCount));
  }
}
