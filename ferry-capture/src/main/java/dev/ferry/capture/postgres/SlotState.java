package dev.ferry.capture.postgres;

import dev.ferry.capture.CaptureException;
import dev.ferry.capture.ResumePoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.postgresql.replication.LogSequenceNumber;

/**
 * The slot and publication as the catalog shows them before capture streams: turns a missing,
 * invalidated or busy slot and a missing publication into errors that say what happened and what
 * to do, instead of a bare server error halfway through a stream.
 */
record SlotState(boolean exists, boolean lost, Integer activePid, String confirmedFlush) {
  static SlotState read(Connection c, String slot) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT wal_status, active_pid, confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, slot);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return new SlotState(false, false, null, null);
        }
        int pid = rs.getInt(2);
        return new SlotState(true, "lost".equals(rs.getString(1)), rs.wasNull() ? null : pid, rs.getString(3));
      }
    }
  }

  /** Fails unless capture can stream from the slot now; a busy slot is reported as {@link #busy}. */
  static void check(PostgresSourceConfig config, Connection c, Optional<ResumePoint> resume)
      throws SQLException, CaptureException {
    SlotState slot = read(c, config.slotName());
    if (!slot.exists()) {
      throw missingSlot(config, resume);
    }
    if (slot.lost()) {
      throw new CaptureException(config.name(), "replication slot '" + config.slotName() + "' was invalidated "
          + "(wal_status = lost: the WAL it needed was removed, see max_slot_wal_keep_size), so changes after "
          + slot.confirmedFlush() + " are no longer available: re-seed the replicas, then run ferry teardown and "
          + "ferry setup to create a new slot");
    }
    if (!PostgresSetup.publicationExists(config, c)) {
      throw missingPublication(config);
    }
    if (resume.isPresent() && !resume.get().isContinuing()) {
      checkNotReplaced(config, c, resume.get());
    }
  }

  /**
   * Every transaction a slot sends commits after the slot's creation point, so a journal whose last
   * transaction is at or before the point setup recorded for the slot came from an earlier slot of
   * that name: the changes between the two slots are lost. A slot created by hand, without setup,
   * leaves no record and is not noticed.
   */
  private static void checkNotReplaced(PostgresSourceConfig config, Connection c, ResumePoint resume)
      throws SQLException, CaptureException {
    if (!hasSlotRecord(c)) {
      return; // set up before Ferry recorded slots
    }
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT created_lsn::text, created_at::text FROM _ferry.slot WHERE slot_name = ?")) {
      ps.setString(1, config.slotName());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return;
        }
        long created = LogSequenceNumber.valueOf(rs.getString(1)).asLong();
        if (Long.compareUnsigned(resume.position().value(), created) <= 0) {
          throw new CaptureException(config.name(), "replication slot '" + config.slotName() + "' was created by "
              + "ferry setup at " + rs.getString(2) + " (LSN " + rs.getString(1) + "), after the journal's last "
              + "transaction " + resume.gtid() + " at " + resume.position() + ": the slot the journal was captured "
              + "from was dropped and replaced while Ferry was away, and the changes between them are lost. "
              + "Re-seed the replicas and start a new journal");
        }
      }
    }
  }

  private static boolean hasSlotRecord(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass('_ferry.slot') IS NOT NULL");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  static CaptureException missingSlot(PostgresSourceConfig config, Optional<ResumePoint> resume) {
    if (resume.isPresent() && resume.get().isContinuing()) {
      return new CaptureException(config.name(), "replication slot '" + config.slotName() + "' (source.slot) does "
          + "not exist on this database, but the journal continues after " + resume.get().gtid() + ": the slot must "
          + "exist before the promoted database becomes writable ('ferry promote --capture' makes it), or the writes "
          + "made since are lost to capture. Check source.url and source.slot (the slot promote made is named in "
          + "promotion.json), or start a new journal (another journal.dir)");
    }
    String what = resume.map(r -> "replication slot '" + config.slotName() + "' does not exist, but the journal "
        + "holds this source's transactions up to " + r.position() + " (" + r.gtid() + "): the slot was dropped "
        + "while Ferry was away and the changes since then are lost to it. Re-seed the replicas, then run ferry "
        + "setup to create a new slot").orElse("replication slot '" + config.slotName() + "' does not exist: run "
        + "ferry setup first");
    return new CaptureException(config.name(), what);
  }

  static CaptureException missingPublication(PostgresSourceConfig config) {
    return new CaptureException(config.name(), "publication '" + config.publicationName() + "' does not exist "
        + "(dropped?): run ferry setup to create it again; capture does not guess which tables to stream");
  }

  /**
   * The publication exists, but the slot's historic catalog (what pgoutput decodes with) does not
   * know it: it was dropped and created again after the slot's confirmed position. PostgreSQL
   * cannot decode past the drop, and what was written while it was missing was never published.
   */
  static CaptureException publicationReplaced(PostgresSourceConfig config, Connection c) {
    String at;
    try {
      at = Optional.ofNullable(read(c, config.slotName()).confirmedFlush()).map(l -> " " + l).orElse("");
    } catch (SQLException e) {
      at = "";
    }
    return new CaptureException(config.name(), "publication '" + config.publicationName() + "' was dropped and "
        + "created again after slot '" + config.slotName() + "' position" + at + ": PostgreSQL cannot decode the "
        + "slot past the drop, so the changes since then cannot be captured. Start the source over: stop Ferry, "
        + "run 'ferry teardown' and 'ferry setup', and seed the replicas again (docs/postgres-capture.md, "
        + "\"Failures\")");
  }

  static CaptureException busy(PostgresSourceConfig config, Connection c) {
    String pid;
    try {
      Integer active = read(c, config.slotName()).activePid();
      pid = active == null ? "another process" : "process " + active;
    } catch (SQLException e) {
      pid = "another process";
    }
    return new CaptureException(config.name(), "replication slot '" + config.slotName() + "' is active for "
        + pid + ": another Ferry or subscriber is streaming from it. Stop that one (SELECT "
        + "pg_terminate_backend(pid) FROM pg_replication_slots WHERE slot_name = '" + config.slotName()
        + "') or give this source its own slot");
  }
}
