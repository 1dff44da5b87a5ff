package dev.ferry.capture.postgres;

import dev.ferry.capture.CaptureException;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.ReplicationSlotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consistent snapshot of the source for seeding a replica, and the WAL position it stands at.
 *
 * <p>A TEMPORARY logical slot is created on a replication connection; PostgreSQL exports a
 * snapshot at the slot's consistent point. Every transaction whose commit record lies before
 * {@link #position()} is visible in the snapshot, every later one is not (logical decoding skips
 * exactly the commits before that point). Other sessions read the snapshot with
 * {@code SET TRANSACTION SNAPSHOT '<name>'} in a {@code REPEATABLE READ} transaction, for as long as
 * this object is open: the creating connection then does nothing else. {@link #close()} ends the
 * connection, which drops the temporary slot (it also goes when the process dies).
 *
 * <p>Right after the slot, a transactional logical message with prefix {@link #MARKER_PREFIX} and
 * content {@link #marker()} is committed. Its commit comes after the consistent point, so once
 * capture has journaled it, the journal holds every selected transaction before the consistent
 * point as well: the hand-over to streaming waits for it.
 *
 * <p>Capture's own slot must exist (run setup first): it was created before this snapshot, so
 * capture delivers every transaction committed after the snapshot. Not thread-safe; the getters
 * may be read from any thread once created.
 */
public final class PostgresSnapshot implements AutoCloseable {
  /** Prefix of the marker message committed right after the snapshot. */
  public static final String MARKER_PREFIX = "ferry.sync";

  private static final Logger LOG = LoggerFactory.getLogger(PostgresSnapshot.class);

  private final PostgresSourceConfig config;
  private final Connection replication;
  private final String snapshotName;
  private final long lsn;
  private final List<TableId> tables;
  private final String marker;

  private PostgresSnapshot(PostgresSourceConfig config, Connection replication, String snapshotName, long lsn,
      List<TableId> tables, String marker) {
    this.config = config;
    this.replication = replication;
    this.snapshotName = snapshotName;
    this.lsn = lsn;
    this.tables = List.copyOf(tables);
    this.marker = marker;
  }

  /**
   * Takes the snapshot and commits the marker.
   *
   * @throws CaptureException if capture's slot or publication is missing or invalidated, or the
   *     source refuses (no free replication slot or WAL sender)
   */
  public static PostgresSnapshot create(PostgresSourceConfig config) throws CaptureException {
    Connection replication = null;
    try (Connection normal = Connections.normal(config)) {
      SlotState main = SlotState.read(normal, config.slotName());
      if (!main.exists()) {
        throw new CaptureException(config.name(), "cannot take a snapshot for initial sync: replication slot '"
            + config.slotName() + "' does not exist, so capture could not deliver what commits after it: run ferry "
            + "setup (and start capture) first");
      }
      SlotState.check(config, normal, java.util.Optional.empty());
      List<TableId> tables = publishedTables(config, normal);
      replication = Connections.replication(config);
      String slot = "ferry_sync_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
      ReplicationSlotInfo info = replication.unwrap(PGConnection.class).getReplicationAPI().createReplicationSlot()
          .logical().withSlotName(slot).withOutputPlugin("pgoutput").withTemporaryOption().make();
      long lsn = info.getConsistentPoint().asLong();
      String marker = info.getSnapshotName() + "@" + info.getConsistentPoint().asString();
      emitMarker(normal, marker);
      SlotState after = SlotState.read(normal, config.slotName());
      LOG.info("{} snapshot {} at {} (temporary slot {}); capture slot {} confirmed up to {}; {} tables",
          config.side(), info.getSnapshotName(), info.getConsistentPoint().asString(), slot, config.slotName(),
          after.confirmedFlush(), tables.size());
      return new PostgresSnapshot(config, replication, info.getSnapshotName(), lsn, tables, marker);
    } catch (SQLException e) {
      closeQuietly(replication);
      throw new CaptureException(config.name(), "cannot take a snapshot for initial sync: " + e.getMessage()
          + " (SQLSTATE " + e.getSQLState() + ")", e);
    } catch (CaptureException | RuntimeException e) {
      closeQuietly(replication);
      throw e;
    }
  }

  /** The tables capture streams: the publication's, in name order. */
  private static List<TableId> publishedTables(PostgresSourceConfig config, Connection c) throws SQLException {
    List<TableId> tables = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ? ORDER BY 1, 2")) {
      ps.setString(1, config.publicationName());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          tables.add(new TableId(rs.getString(1), rs.getString(2)));
        }
      }
    }
    return tables;
  }

  private static void emitMarker(Connection c, String marker) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(true);
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)")) {
      ps.setString(1, MARKER_PREFIX);
      ps.setString(2, marker);
      ps.executeQuery().close();
    } finally {
      c.setAutoCommit(auto);
    }
  }

  /** The exported snapshot's name, for {@code SET TRANSACTION SNAPSHOT}. */
  public String snapshotName() {
    return snapshotName;
  }

  /**
   * The snapshot's position: a transaction is in the snapshot exactly when its commit LSN (its
   * journal {@code sourcePosition}) is below this.
   */
  public SourcePosition position() {
    return SourcePosition.pgLsn(lsn);
  }

  /** The position as PostgreSQL prints it ({@code 0/16B3748}). */
  public String lsnText() {
    return LogSequenceNumber.valueOf(lsn).asString();
  }

  /** The tables in capture's publication when the snapshot was taken. */
  public List<TableId> tables() {
    return tables;
  }

  /** The content of the marker message committed after the snapshot (unique per snapshot). */
  public String marker() {
    return marker;
  }

  /**
   * Opens sessions reading this snapshot (for as long as it is open); the caller closes the
   * reader before the snapshot.
   */
  public PostgresSnapshotReader reader() throws SQLException {
    return PostgresSnapshotReader.open(config, java.util.Optional.of(snapshotName));
  }

  /** The source's name, for log prefixes. */
  public String sourceName() {
    return config.name();
  }

  /** Ends the snapshot: closes the replication connection, which drops the temporary slot. */
  @Override
  public void close() {
    closeQuietly(replication);
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        LOG.debug("closing the snapshot connection: {}", e.getMessage());
      }
    }
  }
}
