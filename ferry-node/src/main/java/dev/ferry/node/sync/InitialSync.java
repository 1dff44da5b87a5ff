package dev.ferry.node.sync;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ReplicaPosition;
import dev.ferry.apply.jdbc.SeedTarget;
import dev.ferry.apply.sync.ArchiveLoads;
import dev.ferry.apply.sync.CopyOptions;
import dev.ferry.apply.sync.CopyResult;
import dev.ferry.apply.sync.InitialCopy;
import dev.ferry.apply.dialect.TypeFamily;
import dev.ferry.apply.sync.RowCopy;
import dev.ferry.apply.sync.SyncException;
import dev.ferry.capture.Capture;
import dev.ferry.capture.postgres.PostgresSnapshot;
import dev.ferry.capture.postgres.PostgresSnapshotReader;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.capture.binlog.MariaDbSnapshot;
import dev.ferry.capture.binlog.MariaDbSourceConfig;
import dev.ferry.capture.trigger.SqliteSnapshot;
import dev.ferry.capture.trigger.SqliteSourceConfig;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.node.run.ReplicaSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seeds a replica from a consistent snapshot of a PostgreSQL source (below) or of a SQLite source
 * ({@link #seed(SqliteSourceConfig, ReplicaSpec, Path, Options)}) and hands it over to streaming
 * with no gap and no duplicate.
 *
 * <ol>
 *   <li>{@link PostgresSnapshot#create}: a temporary slot exports a snapshot at LSN {@code S}, and
 *       a marker message is committed after it.</li>
 *   <li>{@link InitialCopy#copy}: the published tables (those the replica's filter accepts) are
 *       created on the target if missing, emptied, and copied from the snapshot with parallel
 *       COPY streams.</li>
 *   <li>The journal is read until the marker arrives (capture must be running); the replica's
 *       {@code replication_control} row is then written in one target transaction: applied = the
 *       GTIDs of the journal transactions with commit LSN below {@code S}, journal position = right
 *       after the last of them. Streaming then applies exactly the transactions at or after
 *       {@code S}.</li>
 * </ol>
 *
 * <p>Crash safety: the row is written last, so a seed killed at any point before leaves the replica
 * without a position ({@link #needsSeed} stays true) and the next seed starts over (new snapshot,
 * tables emptied and copied again); after it, the replica streams from the recorded position.
 * Blocking; one seed per replica at a time.
 */
public final class InitialSync {
  private static final Logger log = LoggerFactory.getLogger(InitialSync.class);

  /**
   * @param copy how the copy runs (streams, chunking, progress line)
   * @param journalWait how long to wait for capture to journal the snapshot's marker; default 2 min
   */
  public record Options(CopyOptions copy, Duration journalWait) {
    public static final Options DEFAULTS = new Options(CopyOptions.DEFAULTS, Duration.ofMinutes(2));

    public Options {
      if (copy == null || journalWait == null || journalWait.isNegative()) {
        throw new IllegalArgumentException("copy and a non-negative journalWait are required");
      }
    }
  }

  /**
   * What a seed did.
   *
   * @param snapshot the snapshot's source position: transactions committed before it were copied
   * @param position the progress row written: streaming resumes from it
   * @param copy rows and time of the copy
   */
  public record Seeded(SourcePosition snapshot, ReplicaPosition position, CopyResult copy) {
  }

  private InitialSync() {
  }

  /**
   * Whether {@code replica} has no position in the journal {@code journalDir} (no progress row,
   * or one with nothing applied and no journal position): it must be seeded before it streams.
   *
   * @throws SyncException if the replica was loaded from an export archive that is no replication
   *     point: it has data but no position, so it may neither stream nor be silently re-seeded
   */
  public static boolean needsSeed(ReplicaSpec replica, Path journalDir) throws IOException {
    ApplyConfig config = forJournal(replica, JournalInspector.journalId(journalDir).toString());
    try (Connection c = connect(replica)) {
      SeedTarget target = SeedTarget.on(c, config);
      ReplicaPosition at = target.readPosition();
      Optional<ArchiveLoads.Load> load = ArchiveLoads.read(c, target.controlTables(), replica.name());
      c.rollback();
      boolean none = at.applied().toString().isEmpty() && at.journalPosition().isEmpty();
      if (none && load.isPresent() && load.get().replicationPoint().isEmpty()) {
        throw new SyncException(Side.replica(replica.name()), "was loaded from export archive "
            + load.get().archive() + ", which is no replication point (its REPLICATION_SEQUENCE is empty): it cannot "
            + "stream from there. Load an archive exported with a replication point, or delete its row from "
            + target.controlTables().archiveLoads() + " to seed it afresh");
      }
      return none;
    } catch (SQLException e) {
      throw new SyncException(Side.replica(replica.name()), "cannot read its progress: " + e.getMessage(), e);
    }
  }

  /**
   * Seeds {@code replica} from {@code source} and records where it streams from in the journal
   * {@code journalDir}. Capture of {@code source} into that journal must be running (in this
   * process or another), or the hand-over times out.
   *
   * @throws IOException naming the replica or source: the snapshot, the copy or the hand-over
   *     failed; the replica still needs a seed
   */
  public static Seeded seed(PostgresSourceConfig source, ReplicaSpec replica, Path journalDir, Options options)
      throws IOException, InterruptedException {
    String journalId = JournalInspector.journalId(journalDir).toString();
    ApplyConfig config = forJournal(replica, journalId);
    Side side = Side.replica(replica.name());
    String prefix = side + " ";
    CopyResult copy;
    SourcePosition snapshotAt;
    String marker;
    long started = System.nanoTime();
    long copied;
    try (PostgresSnapshot snapshot = PostgresSnapshot.create(source)) {
      snapshotAt = snapshot.position();
      marker = snapshot.marker();
      log.info("{}seeding from source {} snapshot at {}", prefix, source.name(), snapshot.lsnText());
      try (PostgresSnapshotReader reader = snapshot.reader()) {
        copy = InitialCopy.copy(CopySources.of(source, reader), snapshot.tables(), config, () -> connect(replica),
            options.copy());
      }
      copied = System.nanoTime();
    } catch (SQLException e) {
      throw new SyncException(side, "cannot read the snapshot of source " + source.name() + ": " + e.getMessage(),
          e);
    }
    ReplicaPosition position = HandOver.find(journalDir, journalId, new HandOver.Marker(snapshotAt,
        PostgresSnapshot.MARKER_PREFIX, marker), options.journalWait(), prefix);
    record(replica, config, position);
    log.info("{}seeded: {} rows in {} ms (snapshot {} ms, copy {} ms, hand-over {} ms); streaming starts at journal"
        + " position {} (applied {{}})", prefix, copy.rows(), (System.nanoTime() - started) / 1_000_000,
        (copied - started) / 1_000_000 - copy.elapsed().toMillis(), copy.elapsed().toMillis(),
        (System.nanoTime() - copied) / 1_000_000, position.journalPosition().map(Object::toString).orElse("?"), position.applied());
    return new Seeded(snapshotAt, position, copy);
  }

  /**
   * Seeds {@code replica} from a snapshot of the SQLite {@code source} (see {@link SqliteSnapshot})
   * and records where it streams from in the journal {@code journalDir}: right after the journal
   * transaction that ends at the snapshot's change id. Capture of {@code source} into that journal
   * must be running (in this process or another). Crash-safe as {@link #seed(PostgresSourceConfig,
   * ReplicaSpec, Path, Options)}: the position is written last.
   *
   * @throws IOException naming the replica or source: the snapshot, the hand-over or the copy
   *     failed; the replica still needs a seed
   */
  public static Seeded seed(SqliteSourceConfig source, ReplicaSpec replica, Path journalDir, Options options)
      throws IOException, InterruptedException {
    String journalId = JournalInspector.journalId(journalDir).toString();
    ApplyConfig config = forJournal(replica, journalId);
    Side side = Side.replica(replica.name());
    String prefix = side + " ";
    long started = System.nanoTime();
    ReplicaPosition[] position = new ReplicaPosition[1];
    SourcePosition snapshotAt;
    CopyResult copy;
    try (SqliteSnapshot snapshot = SqliteSnapshot.create(source, options.journalWait(), (at, wait) -> position[0] =
        HandOver.find(journalDir, journalId, new HandOver.ChangeId(at), wait, prefix))) {
      snapshotAt = snapshot.position();
      log.info("{}seeding from source {} snapshot at {}", prefix, source.name(), snapshotAt);
      copy = RowCopy.copy(snapshot.tables(), snapshot, config, () -> connect(replica), options.copy());
    } catch (SQLException e) {
      throw new SyncException(side, "cannot end the snapshot of source " + source.name() + ": " + e.getMessage(), e);
    }
    record(replica, config, position[0]);
    log.info("{}seeded: {} rows in {} ms (snapshot and hand-over {} ms, copy {} ms); streaming starts at journal"
        + " position {} (applied {{}})", prefix, copy.rows(), (System.nanoTime() - started) / 1_000_000,
        (System.nanoTime() - started) / 1_000_000 - copy.elapsed().toMillis(), copy.elapsed().toMillis(),
        position[0].journalPosition().map(Object::toString).orElse("?"), position[0].applied());
    return new Seeded(snapshotAt, position[0], copy);
  }

  /**
   * Seeds {@code replica} from a consistent snapshot of the MariaDB {@code source} (see
   * {@link MariaDbSnapshot}), its SEQUENCEs included (each at or above every value the source had
   * handed out; created on a MariaDB target that lacks one), and records where it streams from in
   * the journal {@code journalDir}:
   * right after the last journal transaction the snapshot holds, with the snapshot's transactions of
   * every GTID domain counted as applied. Capture of
   * {@code source} into that journal must be running. Crash-safe as the other seeds: the position
   * is written last.
   *
   * @throws IOException naming the replica or source: the snapshot, the copy or the hand-over
   *     failed; the replica still needs a seed
   */
  public static Seeded seed(MariaDbSourceConfig source, ReplicaSpec replica, Path journalDir, Options options)
      throws IOException, InterruptedException {
    return seed(source, replica, journalDir, options, Optional.empty());
  }

  /**
   * As {@link #seed(MariaDbSourceConfig, ReplicaSpec, Path, Options)}, with capture of the source
   * running in this process: right after the snapshot it marks the source's binlog position, and
   * once capture has journaled everything up to that mark the hand-over needs no later write (an
   * idle source seeds at once).
   */
  public static Seeded seed(MariaDbSourceConfig source, ReplicaSpec replica, Path journalDir, Options options,
      Optional<Capture> running) throws IOException, InterruptedException {
    String journalId = JournalInspector.journalId(journalDir).toString();
    ApplyConfig config = forJournal(replica, journalId);
    String prefix = replica.side() + " ";
    long started = System.nanoTime();
    SourcePosition snapshotAt;
    CopyResult copy;
    BooleanSupplier journaled = () -> false;
    Map<Long, Gtid> gtids;
    try (MariaDbSnapshot snapshot = MariaDbSnapshot.create(source)) {
      snapshotAt = snapshot.position();
      gtids = snapshot.gtidPosition();
      if (running.isPresent()) {
        journaled = running.get().markSourceNow(Optional::empty);
      }
      log.info("{}seeding from source {} snapshot at {} (GTID position {})", prefix, source.name(), snapshotAt,
          gtids.values());
      copy = RowCopy.copy(snapshot.tables(), snapshot.sequences(), TypeFamily.MARIADB, snapshot, config,
          () -> connect(replica), options.copy());
    } catch (SQLException e) {
      throw new SyncException(prefix + "cannot read the snapshot of source " + source.name() + ": " + e.getMessage(),
          e);
    }
    long copied = System.nanoTime();
    ReplicaPosition position = HandOver.find(journalDir, journalId, new HandOver.SourceGtid(snapshotAt, gtids, journaled),
        options.journalWait(), prefix);
    record(replica, config, position);
    log.info("{}seeded: {} rows in {} ms (copy {} ms, hand-over {} ms); streaming starts at journal position {}"
        + " (applied {{}})", prefix, copy.rows(), (System.nanoTime() - started) / 1_000_000, copy.elapsed().toMillis(),
        (System.nanoTime() - copied) / 1_000_000, position.journalPosition().map(Object::toString).orElse("?"),
        position.applied());
    return new Seeded(snapshotAt, position, copy);
  }

  /**
   * Forgets where {@code replica} stands in the journal {@code journalDir} ({@code ferry replica
   * reinit}): its progress row is reset to "nothing applied", so the next {@code run} or
   * {@code apply} seeds it again from a fresh snapshot (its tables emptied and copied). Its data
   * stays until then.
   */
  public static void forget(ReplicaSpec replica, Path journalDir) throws IOException {
    ApplyConfig config = forJournal(replica, JournalInspector.journalId(journalDir).toString());
    record(replica, config, ReplicaPosition.initial(config.source()));
  }

  static void record(ReplicaSpec replica, ApplyConfig config, ReplicaPosition position) throws SyncException {
    try (Connection c = connect(replica)) {
      SeedTarget target = SeedTarget.on(c, config);
      target.writePosition(position, Instant.now());
      ArchiveLoads.forget(c, target.controlTables(), replica.name());
      c.commit();
    } catch (SQLException e) {
      throw new SyncException(Side.replica(replica.name()), "cannot record the seeded position "
          + position.journalPosition().map(Object::toString).orElse("?") + ": " + e.getMessage(), e);
    }
  }

  static Connection connect(ReplicaSpec replica) throws SQLException {
    return replica.connect();
  }

  /** The replica's settings with the journal's UUID as source, as {@code ReplicaRunner} uses them. */
  static ApplyConfig forJournal(ReplicaSpec replica, String journalId) {
    ApplyConfig a = replica.apply();
    return a.withSource(journalId);
  }
}
