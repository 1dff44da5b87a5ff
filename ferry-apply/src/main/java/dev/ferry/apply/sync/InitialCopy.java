package dev.ferry.apply.sync;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.dialect.BulkLoader;
import dev.ferry.apply.dialect.DatabaseIdentity;
import dev.ferry.apply.dialect.IndexDeferral;
import dev.ferry.apply.jdbc.SeedTarget;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.snapshot.CopyRows;
import dev.ferry.journal.snapshot.NoSuchTableException;
import dev.ferry.journal.snapshot.SnapshotInterruptedException;
import dev.ferry.journal.snapshot.SnapshotReader;
import dev.ferry.journal.snapshot.SnapshotSession;
import dev.ferry.journal.snapshot.SourceTable;
import dev.ferry.journal.snapshot.TableSlice;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the tables of a source snapshot read as COPY data (a PostgreSQL source's, through
 * capture's snapshot reader) into a target.
 *
 * <p>Every source session reads the same snapshot ({@link SnapshotReader}), so the tables copied by
 * different streams, and the slices of one large table ({@link SnapshotSession#slices}), all show
 * the source at one instant. Tables missing on the target are
 * created first, and every copied table is emptied first (a seed replaces the target's rows: a
 * copy that was killed midway is simply done again). PostgreSQL targets: each stream pipes
 * {@code COPY (SELECT …) TO STDOUT} on the source into {@code COPY … FROM STDIN} on the target,
 * binary when the column types are the same, committing each range; the tables' indexes are
 * dropped with the rows and built again once a table's last range is in ({@link DeferredIndexes}:
 * their definitions are kept in {@code _ferry.sync_indexes} until then, so a seed killed midway
 * leaves them for the next seed to build). SQLite targets: one stream,
 * rows converted as the applier converts them (docs/apply.md), one transaction per table.
 *
 * <p>The copy writes no progress row; the caller records the replica's position (see
 * {@code SeedTarget#writePosition}) once the copy has returned. Blocking; runs its streams on its
 * own threads; one call at a time per target.
 */
public final class InitialCopy {
  private static final Logger log = LoggerFactory.getLogger(InitialCopy.class);

  /**
   * Where copy sessions read.
   *
   * @param snapshot the source snapshot every session reads (capture's reader); the caller opens
   *     and closes it
   * @param identity the source database's identity, read by the caller; the copy refuses a target
   *     with the same one
   */
  public record Source(SnapshotReader snapshot, Optional<DatabaseIdentity> identity) {
    public Source {
      if (snapshot == null || identity == null) {
        throw new IllegalArgumentException("snapshot and identity must not be null");
      }
    }
  }

  private record Chunk(SourceTable table, TableSlice slice, boolean binary) {
  }

  /** What the setup transaction found: the tables described and how each is copied. */
  private record Prepared(List<SourceTable> tables, Map<TableId, Boolean> binary,
      Map<TableId, List<TableSlice>> slices, boolean parallel) {
  }

  private final Side side;
  private final String prefix;
  private final ApplyConfig replica;
  private final ConnectionSource target;
  private final CopyOptions options;
  private final Map<TableId, AtomicLong> rows = new ConcurrentHashMap<>();
  private final Map<TableId, AtomicInteger> chunksLeft = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Chunk> queue = new ConcurrentLinkedQueue<>();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final AtomicLong buildNanos = new AtomicLong();
  /** The streams' open sessions and connections, so a stop can cancel what they are running. */
  private final java.util.Set<SnapshotSession> sessionsInFlight = ConcurrentHashMap.newKeySet();
  private final java.util.Set<SeedTarget> inFlight = ConcurrentHashMap.newKeySet();
  private Map<String, List<IndexDeferral.Index>> deferred = Map.of();
  private ProgressLine progress;

  private InitialCopy(ApplyConfig replica, ConnectionSource target, CopyOptions options) {
    this.side = replica.side();
    this.prefix = side + " ";
    this.replica = replica;
    this.target = target;
    this.options = options;
  }

  /**
   * Copies {@code tables} (those the replica's filter accepts) from {@code source} into the
   * target, creating missing tables and replacing the rows of existing ones.
   *
   * @param replica names the replica (logs, errors) and the progress tables' source; its filter
   *     selects the tables
   * @throws SyncException naming the table and the database's error; the target then holds a
   *     partial copy that a new seed replaces, and may lack indexes recorded in
   *     {@code _ferry.sync_indexes} that the new seed builds
   */
  public static CopyResult copy(Source source, List<TableId> tables, ApplyConfig replica, ConnectionSource target,
      CopyOptions options) throws SyncException {
    return new InitialCopy(replica, target, options).run(source, tables);
  }

  private CopyResult run(Source source, List<TableId> requested) throws SyncException {
    long started = System.nanoTime();
    List<TableId> tables = requested.stream().filter(replica.filter()::accepts).distinct().toList();
    SnapshotReader snapshot = source.snapshot();
    try {
      Prepared prepared = prepare(source, tables);
      plan(prepared);
      long estimate = prepared.tables().stream().mapToLong(SourceTable::estimatedRows).sum();
      log.info("{}copying {} tables (about {} rows) from snapshot {} with {} streams", prefix,
          prepared.tables().size(), estimate, snapshot.snapshotName(), prepared.parallel() ? options.parallelism() : 1);
      progress = new ProgressLine(options, prefix, estimate, prepared.tables().size());
      try {
        runWorkers(snapshot, prepared.parallel() ? Math.min(options.parallelism(), Math.max(1, queue.size())) : 1);
      } finally {
        progress.close();
      }
    } catch (NoSuchTableException e) {
      throw new SyncException(side, "initial sync failed: " + e.getMessage(), e);
    } catch (SnapshotInterruptedException e) {
      throw new SyncException(side, "initial sync interrupted: the node is stopping; the next start copies again",
          e);
    } catch (SQLException e) {
      throw new SyncException(side, "initial sync failed: " + e.getMessage() + " (SQLSTATE " + e.getSQLState()
          + ")", e);
    }
    Map<TableId, Long> counts = new HashMap<>();
    rows.forEach((id, n) -> counts.put(id, n.get()));
    CopyResult result = new CopyResult(counts, Duration.ofNanos(System.nanoTime() - started));
    log.info("{}copied {} rows of {} tables in {} ms ({} rows/s); built {} indexes after the copy in {} ms of the"
        + " streams' time", prefix, result.rows(), counts.size(), result.elapsed().toMillis(),
        Math.round(result.rowsPerSecond()), deferred.values().stream().mapToInt(List::size).sum(),
        buildNanos.get() / 1_000_000);
    return result;
  }

  /**
   * Describes the tables on the snapshot and, in one target transaction, creates the missing ones,
   * empties them and defers their indexes (PostgreSQL targets).
   */
  private Prepared prepare(Source source, List<TableId> tables) throws SQLException, SyncException {
    List<SourceTable> described = new ArrayList<>();
    Map<TableId, Boolean> binary = new HashMap<>();
    Map<TableId, List<TableSlice>> slices = new HashMap<>();
    try (SnapshotSession src = source.snapshot().session(); Connection dst = target.connect()) {
      refuseSourceAsTarget(source.identity(), dst);
      SeedTarget t = SeedTarget.on(dst, replica);
      for (TableId id : tables) {
        SourceTable table = src.describe(id);
        described.add(table);
        slices.put(id, t.concurrentWriters() ? src.slices(table, options.chunkRows()) : List.of(TableSlice.whole(table)));
      }
      t.beginWrite(); // the source is read; the target's lock, where one writer holds it all, only now
      for (SourceTable table : described) {
        binary.put(table.id(), TargetTables.ensure(t, table, prefix));
      }
      TargetTables.truncate(t, described);
      deferred = DeferredIndexes.defer(t, described, prefix);
      dst.commit();
      src.commit();
      return new Prepared(described, binary, slices, t.concurrentWriters());
    }
  }

  /**
   * The copy empties tables and drops and rebuilds their indexes on the target: run against the
   * source itself (a replica URL that reaches the source by another host name, port or spelling)
   * it would destroy the source. So before the first statement on the target, its identity is
   * compared with the source's (as the caller read it), whatever else the caller checked.
   */
  private void refuseSourceAsTarget(Optional<DatabaseIdentity> source, Connection dst)
      throws SQLException, SyncException {
    Optional<DatabaseIdentity> target = DatabaseIdentity.of(dst);
    if (source.isPresent() && target.isPresent() && source.get().sameDatabaseAs(target.get())) {
      throw new SyncException(side, "refusing initial sync: the replica's database is the source's own ("
          + target.get() + "); point the replica's url at another database");
    }
  }

  /** Queues every table's slices; biggest first so the streams end together. */
  private void plan(Prepared prepared) {
    List<Chunk> chunks = new ArrayList<>();
    for (SourceTable t : prepared.tables()) {
      rows.put(t.id(), new AtomicLong());
      List<TableSlice> slices = prepared.slices().get(t.id());
      for (TableSlice slice : slices) {
        chunks.add(new Chunk(t, slice, prepared.binary().get(t.id())));
      }
      chunksLeft.put(t.id(), new AtomicInteger(slices.size()));
    }
    chunks.sort(Comparator.comparingLong((Chunk c) -> c.slice().estimatedRows()).reversed());
    queue.addAll(chunks);
  }

  private void runWorkers(SnapshotReader snapshot, int streams) throws SQLException, SyncException {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      threads.add(Thread.ofPlatform().name("ferry-sync-" + replica.replicaName() + "-" + i)
          .start(() -> work(snapshot)));
    }
    boolean interrupted = false;
    for (Thread th : threads) {
      while (th.isAlive()) {
        try {
          th.join();
        } catch (InterruptedException e) {
          // The node is stopping: every stream ends at its next row, statements in flight are
          // cancelled, and nothing is committed that a later seed would not empty again.
          interrupted = true;
          failure.compareAndSet(null, e);
          threads.forEach(Thread::interrupt);
          sessionsInFlight.forEach(SnapshotSession::cancel);
          inFlight.forEach(SeedTarget::cancelQuietly);
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
      throw new SyncException(side, "initial sync interrupted: the node is stopping; the next start copies again",
          failure.get());
    }
    Exception e = failure.get();
    if (e instanceof SQLException s) {
      throw s;
    }
    if (e != null) {
      throw new SyncException(side, "initial sync failed: " + e, e);
    }
  }

  /** Builds the indexes deferred for {@code table}, now that all its rows are in. */
  private void buildIndexes(SeedTarget t, SourceTable table) throws SQLException {
    String name = t.tableName(table.id());
    List<IndexDeferral.Index> indexes = deferred.getOrDefault(name, List.of());
    if (indexes.isEmpty()) {
      return;
    }
    long started = System.nanoTime();
    DeferredIndexes.build(t, name, indexes, prefix);
    t.connection().commit();
    long nanos = System.nanoTime() - started;
    buildNanos.addAndGet(nanos);
    log.info("{}built {} indexes of {} in {} ms", prefix, indexes.size(), name, nanos / 1_000_000);
  }

  private void work(SnapshotReader snapshot) {
    try (SnapshotSession src = snapshot.session(); Connection dst = target.connect()) {
      SeedTarget t = SeedTarget.on(dst, replica);
      sessionsInFlight.add(src);
      inFlight.add(t);
      try {
        copyChunks(src, t);
      } finally {
        sessionsInFlight.remove(src);
        inFlight.remove(t);
      }
    } catch (SQLException | RuntimeException e) {
      failure.compareAndSet(null, e);
    }
  }

  private void copyChunks(SnapshotSession src, SeedTarget t) throws SQLException {
    Connection dst = t.connection();
    Optional<BulkLoader> bulk = t.bulkLoader();
    if (bulk.isPresent()) {
      bulk.get().prepareSeedSession(dst);
      dst.commit();
    }
    Chunk chunk;
    while (failure.get() == null && !Thread.currentThread().isInterrupted() && (chunk = queue.poll()) != null) {
      long n;
      try {
        CopyRows out = src.copyOut(chunk.table(), chunk.slice(), chunk.binary());
        n = bulk.isPresent() ? CopyStreams.pipe(out, t, bulk.get(), chunk.table(), chunk.binary(), progress::addRows)
            : CopyStreams.load(out, t, chunk.table(), progress::addRows);
        dst.commit();
      } catch (SnapshotInterruptedException e) {
        throw e;
      } catch (SQLException e) {
        throw new SQLException("copy of " + chunk.table().id() + chunk.slice().condition() + " failed: "
            + e.getMessage(), e.getSQLState(), e);
      }
      rows.get(chunk.table().id()).addAndGet(n);
      if (chunksLeft.get(chunk.table().id()).decrementAndGet() == 0) {
        buildIndexes(t, chunk.table());
        progress.tableDone();
      }
    }
    src.commit();
  }
}
