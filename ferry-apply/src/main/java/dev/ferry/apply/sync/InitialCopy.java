package dev.ferry.apply.sync;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.jdbc.DatabaseIdentity;
import dev.ferry.apply.jdbc.SeedTarget;
import dev.ferry.journal.model.TableId;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
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
 * Copies the tables of a PostgreSQL source, as one consistent snapshot, into a target.
 *
 * <p>Every source session reads the same exported snapshot ({@code SET TRANSACTION SNAPSHOT} in a
 * {@code REPEATABLE READ} transaction), so the tables copied by different streams, and the page
 * ranges of one large table, all show the source at one instant. Tables missing on the target are
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
   * @param connections opens connections to the source database (a normal JDBC session)
   * @param snapshotName an exported snapshot every session uses; empty: the copy exports its own
   *     ({@code pg_export_snapshot()}), which is consistent but is no replication point
   */
  public record Source(ConnectionSource connections, Optional<String> snapshotName) {
    public Source {
      if (connections == null || snapshotName == null) {
        throw new IllegalArgumentException("connections and snapshotName must not be null");
      }
      snapshotName.ifPresent(SnapshotSessions::checkName);
    }
  }

  private record Chunk(SourceTable table, String where, long estimatedRows, boolean binary) {
  }

  private final String prefix;
  private final ApplyConfig replica;
  private final ConnectionSource target;
  private final CopyOptions options;
  private final Map<TableId, AtomicLong> rows = new ConcurrentHashMap<>();
  private final Map<TableId, AtomicInteger> chunksLeft = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Chunk> queue = new ConcurrentLinkedQueue<>();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final AtomicLong buildNanos = new AtomicLong();
  /** The streams' open connections, so a stop can cancel what they are running. */
  private final java.util.Set<Connection> inFlight = ConcurrentHashMap.newKeySet();
  private Map<String, List<DeferredIndexes.Index>> deferred = Map.of();
  private ProgressLine progress;

  private InitialCopy(ApplyConfig replica, ConnectionSource target, CopyOptions options) {
    this.prefix = "[replica " + replica.replicaName() + "] ";
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
    try (SnapshotSessions sessions = SnapshotSessions.open(source)) {
      boolean postgres;
      List<SourceTable> described = new ArrayList<>();
      Map<TableId, Boolean> binary = new HashMap<>();
      try (Connection src = sessions.session(); Connection dst = target.connect()) {
        refuseSourceAsTarget(src, dst);
        SeedTarget t = SeedTarget.on(dst, replica);
        postgres = t.isPostgres();
        for (TableId id : tables) {
          SourceTable table = SourceCatalog.describe(src, id);
          described.add(table);
          binary.put(id, TargetTables.ensure(t, table, prefix));
        }
        TargetTables.truncate(t, described);
        if (postgres) {
          deferred = DeferredIndexes.defer(t, described, prefix);
        }
        dst.commit();
        src.commit();
      }
      plan(described, binary, postgres);
      long estimate = described.stream().mapToLong(SourceTable::estimatedRows).sum();
      log.info("{}copying {} tables (about {} rows) from snapshot {} with {} streams", prefix, described.size(),
          estimate, sessions.snapshotName(), postgres ? options.parallelism() : 1);
      progress = new ProgressLine(options.progress(), prefix, estimate,
          described.size());
      try {
        runWorkers(sessions, postgres ? Math.min(options.parallelism(), Math.max(1, queue.size())) : 1);
      } finally {
        progress.close();
      }
    } catch (SQLException e) {
      throw new SyncException(prefix + "initial sync failed: " + e.getMessage() + " (SQLSTATE " + e.getSQLState()
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
   * The copy empties tables and drops and rebuilds their indexes on the target: run against the
   * source itself (a replica URL that reaches the source by another host name, port or spelling)
   * it would destroy the source. So before the first statement on the target, its identity is
   * compared with the database the snapshot is read from, whatever the caller checked.
   */
  private void refuseSourceAsTarget(Connection src, Connection dst) throws SQLException, SyncException {
    Optional<DatabaseIdentity> source = DatabaseIdentity.of(src);
    Optional<DatabaseIdentity> target = DatabaseIdentity.of(dst);
    if (source.isPresent() && target.isPresent() && source.get().sameDatabaseAs(target.get())) {
      throw new SyncException(prefix + "refusing initial sync: the replica's database is the source's own ("
          + target.get() + "); point the replica's url at another database");
    }
  }

  /** Splits large tables into page ranges; biggest chunks first so the streams end together. */
  private void plan(List<SourceTable> tables, Map<TableId, Boolean> binary, boolean postgres) {
    List<Chunk> chunks = new ArrayList<>();
    for (SourceTable t : tables) {
      rows.put(t.id(), new AtomicLong());
      long parts = postgres ? Math.min(64, Math.max(1, (t.estimatedRows() + options.chunkRows() - 1)
          / options.chunkRows())) : 1;
      parts = Math.min(parts, Math.max(1, t.pages()));
      if (parts == 1) {
        chunks.add(new Chunk(t, "", t.estimatedRows(), binary.get(t.id())));
      } else {
        long step = (t.pages() + parts - 1) / parts;
        for (long i = 0; i < parts; i++) {
          String from = i == 0 ? null : "ctid >= '(" + i * step + ",0)'::tid";
          String to = i == parts - 1 ? null : "ctid < '(" + (i + 1) * step + ",0)'::tid";
          String where = " WHERE " + (from == null ? to : to == null ? from : from + " AND " + to);
          chunks.add(new Chunk(t, where, t.estimatedRows() / parts, binary.get(t.id())));
        }
      }
      chunksLeft.put(t.id(), new AtomicInteger((int) parts));
    }
    chunks.sort(Comparator.comparingLong(Chunk::estimatedRows).reversed());
    queue.addAll(chunks);
  }

  private void runWorkers(SnapshotSessions sessions, int streams) throws SQLException, SyncException {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      threads.add(Thread.ofPlatform().name("ferry-sync-" + replica.replicaName() + "-" + i)
          .start(() -> work(sessions)));
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
          inFlight.forEach(InitialCopy::cancelQuietly);
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
      throw new SyncException(prefix + "initial sync interrupted: the node is stopping; the next start copies again",
          failure.get());
    }
    Exception e = failure.get();
    if (e instanceof SQLException s) {
      throw s;
    }
    if (e != null) {
      throw new SyncException(prefix + "initial sync failed: " + e, e);
    }
  }

  /** Builds the indexes deferred for {@code table}, now that all its rows are in. */
  private void buildIndexes(SeedTarget t, SourceTable table) throws SQLException {
    String name = t.tableName(table.id());
    List<DeferredIndexes.Index> indexes = deferred.getOrDefault(name, List.of());
    if (indexes.isEmpty()) {
      return;
    }
    long started = System.nanoTime();
    DeferredIndexes.build(t.connection(), name, indexes, prefix);
    t.connection().commit();
    long nanos = System.nanoTime() - started;
    buildNanos.addAndGet(nanos);
    log.info("{}built {} indexes of {} in {} ms", prefix, indexes.size(), name, nanos / 1_000_000);
  }

  private void work(SnapshotSessions sessions) {
    try (Connection src = sessions.session(); Connection dst = target.connect()) {
      inFlight.add(src);
      inFlight.add(dst);
      try {
        copyChunks(src, dst);
      } finally {
        inFlight.remove(src);
        inFlight.remove(dst);
      }
    } catch (SQLException | RuntimeException e) {
      failure.compareAndSet(null, e);
    }
  }

  private void copyChunks(Connection src, Connection dst) throws SQLException {
    SeedTarget t = SeedTarget.on(dst, replica);
    if (t.isPostgres()) {
      try (Statement st = dst.createStatement()) {
        // Safe: the progress row, written after the copy, commits synchronously and so flushes these too.
        st.execute("SET synchronous_commit = off");
      }
      dst.commit();
    }
    Chunk chunk;
    while (failure.get() == null && !Thread.currentThread().isInterrupted() && (chunk = queue.poll()) != null) {
      long n;
      try {
        n = t.isPostgres() ? CopyStreams.pipe(src, t, chunk.table(), chunk.where(), chunk.binary(), progress::addRows)
            : CopyStreams.load(src, t, chunk.table(), progress::addRows);
        dst.commit();
      } catch (SQLException e) {
        throw new SQLException("copy of " + chunk.table().id() + chunk.where() + " failed: " + e.getMessage(),
            e.getSQLState(), e);
      }
      rows.get(chunk.table().id()).addAndGet(n);
      if (chunksLeft.get(chunk.table().id()).decrementAndGet() == 0) {
        buildIndexes(t, chunk.table());
        progress.tableDone();
      }
    }
    src.commit();
  }

  private static void cancelQuietly(Connection c) {
    try {
      if (c.isWrapperFor(org.postgresql.PGConnection.class)) {
        c.unwrap(org.postgresql.PGConnection.class).cancelQuery();
      }
    } catch (SQLException e) {
      log.debug("cancel of a copy stream failed: {}", e.getMessage());
    }
  }
}
