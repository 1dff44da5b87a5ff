package dev.ferry.node.sync;

import dev.ferry.apply.ReplicaPosition;
import dev.ferry.apply.sync.CopyProgress;
import dev.ferry.apply.sync.ExportArchive;
import dev.ferry.apply.sync.ReplicationPoint;
import dev.ferry.apply.sync.SyncException;
import dev.ferry.capture.CaptureException;
import dev.ferry.capture.postgres.PostgresSnapshot;
import dev.ferry.capture.postgres.PostgresSnapshotReader;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.TableId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a full export archive ({@link ExportArchive}) of a PostgreSQL source: the publication's
 * tables from one consistent snapshot and, as {@code REPLICATION_SEQUENCE}, where a replica loaded
 * from it resumes streaming.
 *
 * <p>With a replication point, the snapshot is {@link PostgresSnapshot}'s (its LSN {@code S} and a
 * marker committed after it) and, after the tables are written, the journal is read until the
 * marker arrives, exactly as {@link InitialSync} hands a seed over ({@link HandOver}): the point is
 * the journal position right after the last transaction below {@code S} and the GTIDs up to it.
 * Capture of the source into the journal must be running. When it cannot be (no journal directory,
 * no capture slot) or the marker does not arrive in time, the archive is still written from the
 * snapshot, but with an empty {@code REPLICATION_SEQUENCE}, and {@link Exported#noPointReason}
 * says why. Blocking; one thread (plus the copy's).
 */
public final class FullExport {
  private static final Logger log = LoggerFactory.getLogger(FullExport.class);

  /**
   * @param replicationPoint whether to make the archive a replication point
   * @param parallelism tables written at once
   * @param journalWait how long to wait for capture to journal the snapshot's marker
   * @param watcher given the export's live figures when its tables start to be written
   */
  public record Options(boolean replicationPoint, int parallelism, Duration journalWait,
      Consumer<CopyProgress> watcher) {
    public static final Options DEFAULTS = new Options(true, 4, Duration.ofMinutes(2));

    public Options {
      if (parallelism < 1 || journalWait == null || journalWait.isNegative() || watcher == null) {
        throw new IllegalArgumentException("parallelism >= 1, a non-negative journalWait and a watcher are required");
      }
    }

    /** Options whose export no one watches but the log. */
    public Options(boolean replicationPoint, int parallelism, Duration journalWait) {
      this(replicationPoint, parallelism, journalWait, p -> { });
    }

    public Options withoutReplicationPoint() {
      return new Options(false, parallelism, journalWait, watcher);
    }

    /** These options, with the export's figures given to {@code newWatcher}. */
    public Options watchedBy(Consumer<CopyProgress> newWatcher) {
      return new Options(replicationPoint, parallelism, journalWait, newWatcher);
    }
  }

  /**
   * What an export wrote.
   *
   * @param point the replication point; empty when the archive is none
   * @param noPointReason why there is none (empty when there is one)
   */
  public record Exported(Path dir, List<ExportArchive.TableFile> tables, long schemaSequence,
      Optional<ReplicationPoint> point, Optional<String> noPointReason) {
    public long rows() {
      return tables.stream().mapToLong(ExportArchive.TableFile::rows).sum();
    }
  }

  private FullExport() {
  }

  /**
   * Exports {@code source} into the new directory {@code dir}.
   *
   * @param journalDir the journal capture writes for this source (needed for a replication point)
   * @throws IOException naming the source or archive: the snapshot or the copy failed; {@code dir}
   *     then has no {@code SHA256SUMS} and is no archive
   */
  public static Exported export(PostgresSourceConfig source, Path journalDir, Path dir, Options options)
      throws IOException, InterruptedException {
    Side side = Side.archive(dir);
    String prefix = side + " ";
    ExportArchive.Writer writer = ExportArchive.create(dir);
    Optional<String> reason = options.replicationPoint() ? Optional.empty()
        : Optional.of("exported with --no-replication-point");
    if (reason.isEmpty() && !Files.isRegularFile(SegmentFiles.idFile(journalDir))) {
      reason = Optional.of("no journal at " + journalDir + " (is capture set up and running?)");
    }
    if (reason.isEmpty()) {
      PostgresSnapshot snapshot;
      try {
        snapshot = PostgresSnapshot.create(source);
      } catch (CaptureException e) {
        snapshot = null;
        reason = Optional.of("no replication point could be taken: " + e.getMessage());
      }
      if (snapshot != null) {
        return withPoint(source, journalDir, dir, options, writer, snapshot, side);
      }
    }
    log.warn("{}the export is no replication point: {}", prefix, reason.get());
    List<ExportArchive.TableFile> tables;
    long schemaSequence;
    try (Connection c = DriverManager.getConnection(source.jdbcUrl());
        PostgresSnapshotReader reader = PostgresSnapshotReader.open(source, Optional.empty())) {
      schemaSequence = schemaSequence(c);
      tables = writer.copyTables(CopySources.of(source, reader), publishedTables(c, source), options.parallelism(),
          options.watcher());
    } catch (SQLException e) {
      throw new SyncException(side, "cannot read source " + source.name() + ": " + e.getMessage(), e);
    }
    writer.finish(schemaSequence, Optional.empty());
    return new Exported(dir, tables, schemaSequence, Optional.empty(), reason);
  }

  private static Exported withPoint(PostgresSourceConfig source, Path journalDir, Path dir, Options options,
      ExportArchive.Writer writer, PostgresSnapshot snapshot, Side side)
      throws IOException, InterruptedException {
    String prefix = side + " ";
    List<ExportArchive.TableFile> tables;
    long sequenceNow;
    try (snapshot) {
      log.info("{}exporting source {} at snapshot {}", prefix, source.name(), snapshot.lsnText());
      try (PostgresSnapshotReader reader = snapshot.reader()) {
        tables = writer.copyTables(CopySources.of(source, reader), snapshot.tables(), options.parallelism(),
            options.watcher());
      } catch (SQLException e) {
        throw new SyncException(side, "cannot read source " + source.name() + ": " + e.getMessage(), e);
      }
      try (Connection c = DriverManager.getConnection(source.jdbcUrl())) {
        sequenceNow = schemaSequence(c);
      } catch (SQLException e) {
        throw new SyncException(side, "cannot read source " + source.name() + ": " + e.getMessage(), e);
      }
    }
    String journalId = JournalInspector.journalId(journalDir).toString();
    ReplicaPosition resume;
    try {
      resume = HandOver.find(journalDir, journalId, new HandOver.Marker(snapshot.position(),
          PostgresSnapshot.MARKER_PREFIX, snapshot.marker()), options.journalWait(), prefix);
    } catch (IOException e) {
      String reason = e.getMessage();
      log.warn("{}the export is no replication point: {}", prefix, reason);
      writer.finish(sequenceNow, Optional.empty());
      return new Exported(dir, tables, sequenceNow, Optional.empty(), Optional.of(reason));
    }
    // The journal's transaction below S carries the schema sequence the snapshot's tables have. The
    // source's sequence is read outside the snapshot, so it only fills SCHEMA_SEQUENCE when none
    // precedes S; the point then records none and the replica takes the first streamed one's.
    long schemaSequence = resume.schemaSequence().orElse(sequenceNow);
    ReplicationPoint point = new ReplicationPoint(snapshot.position(), resume);
    writer.finish(schemaSequence, Optional.of(point));
    log.info("{}exported {} tables; replication point: journal {} position {} (applied {{}})", prefix, tables.size(),
        journalId, resume.journalPosition().map(Object::toString).orElse("?"), resume.applied());
    return new Exported(dir, tables, schemaSequence, Optional.of(point), Optional.empty());
  }

  private static List<TableId> publishedTables(Connection c, PostgresSourceConfig source) throws SQLException,
      SyncException {
    List<TableId> tables = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT schemaname, tablename FROM pg_publication_tables "
        + "WHERE pubname = ? ORDER BY 1, 2")) {
      ps.setString(1, source.publicationName());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          tables.add(new TableId(rs.getString(1), rs.getString(2)));
        }
      }
    }
    if (tables.isEmpty()) {
      throw new SyncException(Side.source(source.name()), "publication '" + source.publicationName()
          + "' has no tables (or does not exist): run ferry setup, which chooses the tables to replicate");
    }
    return tables;
  }

  /** The source's current schema sequence; 0 when Ferry's schema is not installed or no DDL ran. */
  private static long schemaSequence(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass('_ferry.schema_sequence') IS NOT NULL");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next() || !rs.getBoolean(1)) {
        return 0;
      }
    }
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM _ferry.schema_sequence");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }
}
