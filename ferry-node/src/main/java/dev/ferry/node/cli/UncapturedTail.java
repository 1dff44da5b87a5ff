package dev.ferry.node.cli;

import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.node.run.SourceSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Transactions the old primary's PostgreSQL database committed after the last one its journal holds
 * (a {@code kill -9} of its capture leaves them in the slot): part of its divergent tail, but not in
 * the journal that {@code ferry rejoin} exports from, so rejoin refuses while there are any. Peeks at
 * the slot (nothing is consumed): a pgoutput BEGIN message names its transaction's commit LSN.
 */
final class UncapturedTail {
  private static final String PEEK = "SELECT count(*) FROM pg_logical_slot_peek_binary_changes(?, NULL, NULL,"
      + " 'proto_version', '1', 'publication_names', ?) WHERE get_byte(data, 0) = 66"
      + " AND ('x' || encode(substr(data, 2, 8), 'hex'))::bit(64)::bigint > ?";

  private UncapturedTail() {}

  /**
   * Refuses when the source's slot holds a transaction committed after {@code last}; other sources
   * are refused, and a missing slot passes only when an earlier rejoin ({@code rejoinedBefore}) dropped it.
   */
  static void check(SourceSpec source, SourcePosition last, boolean rejoinedBefore) {
    if (!(source instanceof SourceSpec.Postgres pg)) {
      throw new CliException("ferry rejoin: source " + source.name() + " is " + source.product() + ": only a PostgreSQL"
          + " old primary's journal can have been continued ('ferry promote --capture' is PostgreSQL only); nothing was"
          + " changed");
    }
    if (last.kind() != SourcePosition.Kind.PG_LSN) {
      return;
    }
    PostgresSourceConfig c = pg.config();
    long pending;
    try (Connection conn = DriverManager.getConnection(c.jdbcUrl());
        PreparedStatement exists = conn.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?");
        PreparedStatement ps = conn.prepareStatement(PEEK)) {
      exists.setString(1, c.slotName());
      try (ResultSet rs = exists.executeQuery()) {
        if (!rs.next()) {
          if (rejoinedBefore) {
            return;
          }
          throw new CliException("ferry rejoin: slot " + c.slotName() + " (source.slot) does not exist on the old"
              + " primary's database: what it committed after its journal's last transaction cannot be counted (it is"
              + " not in the journal, so not exported); nothing was changed");
        }
      }
      ps.setString(1, c.slotName());
      ps.setString(2, c.publicationName());
      ps.setLong(3, last.value());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        pending = rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new CliException("ferry rejoin: cannot read slot " + c.slotName() + " (source.slot) on the old primary's"
          + " database (" + e.getMessage() + "): the transactions it committed after its journal's last one cannot be"
          + " counted; nothing was changed");
    }
    if (pending > 0) {
      throw new CliException("ferry rejoin: slot " + c.slotName() + " (source.slot) on the old primary's database"
          + " holds " + pending + " transaction(s) committed after the last one its journal holds (at " + last + "):"
          + " they belong to its divergent tail but are not in its journal yet. Journal them first: start 'ferry"
          + " capture' with this configuration until 'ferry status' shows them, stop it, then run 'ferry rejoin'"
          + " again; nothing was changed");
    }
  }
}
