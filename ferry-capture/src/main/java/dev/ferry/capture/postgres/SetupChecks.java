package dev.ferry.capture.postgres;

import dev.ferry.capture.CaptureException;
import dev.ferry.journal.model.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks setup makes before it changes anything on the source. Each failure names the setting
 * or the tables and says what to run; none leaves anything behind.
 */
final class SetupChecks {
  private final PostgresSourceConfig config;
  private final Connection c;

  SetupChecks(PostgresSourceConfig config, Connection c) {
    this.config = config;
    this.c = c;
  }

  /** Runs every check; returns the selected tables. */
  List<TableId> run() throws SQLException, CaptureException {
    checkWalLevel();
    checkPrivileges();
    if (!slotExists()) {
      checkFreeSlot();
    } else {
      checkSlotInThisDatabase();
    }
    checkFreeSender();
    List<TableId> tables = selectedTables();
    checkReplicaIdentity(tables);
    return tables;
  }

  private void checkWalLevel() throws SQLException, CaptureException {
    String level = scalar("SHOW wal_level");
    if (!"logical".equals(level)) {
      throw fail("wal_level is '" + level + "' but logical decoding needs 'logical': run "
          + "ALTER SYSTEM SET wal_level = logical; and restart PostgreSQL");
    }
  }

  private void checkPrivileges() throws SQLException, CaptureException {
    checkReplication();
    if (!isSuperuser()) {
      throw fail("role '" + role() + "' is not a superuser, and only a superuser can create Ferry's DDL event "
          + "trigger: run setup once as a superuser (e.g. postgres; see the README for the grants 'run' needs "
          + "afterwards) or ALTER ROLE " + Connections.quote(role()) + " SUPERUSER;");
    }
  }

  private void checkReplication() throws SQLException, CaptureException {
    if (!"t".equals(scalar("SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user"))) {
      throw fail("role '" + role() + "' lacks the REPLICATION privilege needed to stream from a slot: run "
          + "ALTER ROLE " + Connections.quote(role()) + " REPLICATION;");
    }
  }

  boolean isSuperuser() throws SQLException {
    return "t".equals(scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));
  }

  private String role() throws SQLException {
    return scalar("SELECT current_user");
  }

  /**
   * Whether everything setup creates is there: the slot, the publication, the {@code _ferry}
   * schema's slot table and both event triggers.
   */
  boolean installed() throws SQLException {
    return slotExists() && PostgresSetup.publicationExists(config, c)
        && "t".equals(scalar("SELECT to_regclass('" + FerrySchema.SCHEMA + ".slot') IS NOT NULL"))
        && "2".equals(scalar("SELECT count(*) FROM pg_event_trigger WHERE evtname IN "
            + "('ferry_ddl_command_end', 'ferry_sql_drop')"));
  }

  /**
   * What capture checks when setup was done before and the role is no superuser: the settings
   * and privileges streaming needs; returns the selected tables the publication lacks (setup,
   * run again as a superuser, adds them).
   */
  List<TableId> verifyForCapture() throws SQLException, CaptureException {
    checkWalLevel();
    checkReplication();
    List<TableId> missing = new ArrayList<>();
    for (TableId t : selectedTables()) {
      if (!published(t)) {
        missing.add(t);
      }
    }
    return missing;
  }

  boolean slotExists() throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, config.slotName());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Slot names are the cluster's: one of another database's capture is no slot for this one. */
  private void checkSlotInThisDatabase() throws SQLException, CaptureException {
    try (PreparedStatement ps = c.prepareStatement("SELECT database FROM pg_replication_slots WHERE slot_name = ?"
        + " AND database IS DISTINCT FROM current_database()")) {
      ps.setString(1, config.slotName());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          throw fail("replication slot '" + config.slotName() + "' (source.slot) belongs to database "
              + rs.getString(1) + " of this cluster, not to " + scalar("SELECT current_database()")
              + " (slot names are the cluster's): give this source another source.slot");
        }
      }
    }
  }

  private void checkFreeSlot() throws SQLException, CaptureException {
    int max = Integer.parseInt(scalar("SHOW max_replication_slots"));
    List<String> used = strings("SELECT slot_name FROM pg_replication_slots ORDER BY slot_name");
    if (used.size() >= max) {
      throw fail("max_replication_slots is " + max + " and all are in use (" + String.join(", ", used)
          + "), so slot '" + config.slotName() + "' cannot be created: raise max_replication_slots "
          + "(ALTER SYSTEM SET max_replication_slots = " + (max + 1) + "; then restart PostgreSQL) or drop an "
          + "unused slot with SELECT pg_drop_replication_slot('<name>');");
    }
  }

  private void checkFreeSender() throws SQLException, CaptureException {
    int max = Integer.parseInt(scalar("SHOW max_wal_senders"));
    int used = Integer.parseInt(scalar("SELECT count(*) FROM pg_stat_replication"));
    if (used >= max) {
      throw fail("max_wal_senders is " + max + " and " + used + " are in use, so Ferry cannot stream: raise "
          + "max_wal_senders (ALTER SYSTEM SET max_wal_senders = " + (max + 1) + "; then restart PostgreSQL)");
    }
  }

  /** Tables a selection may pick from (schema, name): plain and partitioned tables outside the system and {@code ferry}. */
  static final String USER_TABLES = """
      SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema', '_ferry') AND n.nspname NOT LIKE 'pg\\_%'""";

  private List<TableId> selectedTables() throws SQLException, CaptureException {
    List<TableId> tables = new ArrayList<>();
    try (ResultSet rs = query(USER_TABLES + " ORDER BY 1, 2")) {
      while (rs.next()) {
        if (config.selects(rs.getString(1), rs.getString(2))) {
          tables.add(new TableId(rs.getString(1), rs.getString(2)));
        }
      }
    }
    if (tables.isEmpty()) {
      throw fail("no table matches include " + config.include() + " minus exclude " + config.exclude()
          + ": check the patterns (they must match schema.table as a whole)");
    }
    return tables;
  }

  void checkReplicaIdentity(List<TableId> tables) throws SQLException, CaptureException {
    List<String> bad = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("""
        SELECT c.relreplident,
               EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?""")) {
      for (TableId t : tables) {
        ps.setString(1, t.schema());
        ps.setString(2, t.name());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          String ident = rs.getString(1);
          if (ident.equals("n") || (ident.equals("d") && !rs.getBoolean(2))) {
            bad.add(sql(t) + (ident.equals("n") ? " (REPLICA IDENTITY NOTHING)" : " (no primary key, REPLICA IDENTITY DEFAULT)"));
          }
        }
      }
    }
    if (!bad.isEmpty()) {
      throw fail("tables without a usable replica identity: " + String.join(", ", bad) + ". Updates and "
          + "deletes on them could not be replicated: add a primary key, or run ALTER TABLE <table> REPLICA "
          + "IDENTITY FULL (or USING INDEX <unique index>), or exclude them");
    }
  }

  /**
   * Checks that {@code table} can join the publication: a user table (outside the system and
   * {@code _ferry}) with a usable replica identity.
   */
  void checkAddable(TableId table) throws SQLException, CaptureException {
    try (PreparedStatement ps = c.prepareStatement(USER_TABLES + " AND n.nspname = ? AND c.relname = ?")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.name());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new CaptureException(config.name(), "table " + sql(table) + " does not exist on the source (or is a "
              + "partition, a view or one of Ferry's own): create it first, or check the name (schema.table)");
        }
      }
    }
    checkReplicaIdentity(List.of(table));
  }

  /** Whether {@code table} is in the publication. */
  boolean published(TableId table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT 1 FROM pg_publication_tables WHERE pubname = ? AND schemaname = ? AND tablename = ?")) {
      ps.setString(1, config.publicationName());
      ps.setString(2, table.schema());
      ps.setString(3, table.name());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  static String sql(TableId t) {
    return Connections.quote(t.schema()) + "." + Connections.quote(t.name());
  }

  private CaptureException fail(String message) {
    return new CaptureException(config.name(), "setup: " + message);
  }

  private String scalar(String sql) throws SQLException {
    try (ResultSet rs = query(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private List<String> strings(String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = query(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private ResultSet query(String sql) throws SQLException {
    Statement st = c.createStatement();
    st.closeOnCompletion();
    return st.executeQuery(sql);
  }
}
