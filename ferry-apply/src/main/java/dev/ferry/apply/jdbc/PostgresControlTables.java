package dev.ferry.apply.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Ferry's tables on a PostgreSQL replica, in schema {@code _ferry}: progress
 * ({@code replication_control}), conflicts and table copies ({@code archive_loads} and
 * {@code sync_indexes} are made by the loads and seeds that use them). Made when missing, brought
 * up to date from earlier versions, and dropped by teardown.
 */
final class PostgresControlTables {
  /** Teardown's statement; a seed's kept index definitions ({@code sync_indexes}) stay. */
  static final String DROP = "DROP TABLE IF EXISTS _ferry.replication_control, _ferry.conflicts, "
      + "_ferry.archive_loads, _ferry.table_copies";

  private PostgresControlTables() {}

  /** Moves an earlier version's tables, creates what is missing, adds columns added since. */
  static void ensure(Connection c, Statement st) throws SQLException {
    st.execute(MOVE_FROM_OLD_SCHEMA);
    if (!controlTablesExist(st)) {
      createControlTables(c, st);
    }
    addProgressChecksumColumns(st);
    createTableCopies(c, st);
  }

  /**
   * Moves the tables an earlier Ferry kept in a schema named {@code ferry} to {@code _ferry}
   * (progress, conflicts, loads, a seed's kept indexes), and drops the old schema when that
   * emptied it.
   */
  private static final String MOVE_FROM_OLD_SCHEMA = """
      DO $$
      DECLARE
        t text;
      BEGIN
        IF to_regclass('ferry.replication_control') IS NULL THEN
          RETURN;
        END IF;
        CREATE SCHEMA IF NOT EXISTS _ferry;
        FOREACH t IN ARRAY ARRAY['replication_control', 'conflicts', 'archive_loads', 'sync_indexes'] LOOP
          IF to_regclass('ferry.' || t) IS NOT NULL AND to_regclass('_ferry.' || t) IS NULL THEN
            EXECUTE format('ALTER TABLE ferry.%I SET SCHEMA _ferry', t);
          END IF;
        END LOOP;
        BEGIN
          DROP SCHEMA ferry;
        EXCEPTION WHEN dependent_objects_still_exist THEN
          NULL;
        END;
      END $$""";

  private static boolean controlTablesExist(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT to_regclass('_ferry.replication_control') IS NOT NULL "
        + "AND to_regclass('_ferry.conflicts') IS NOT NULL")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /**
   * Creates {@code _ferry} and its tables. Only when missing: CREATE … IF NOT EXISTS needs the
   * CREATE privilege even when the object exists, which a role applying to tables another role
   * prepared need not have.
   */
  private static void createControlTables(Connection c, Statement st) throws SQLException {
    // CREATE … IF NOT EXISTS races with itself: appliers opening at once take turns.
    c.setAutoCommit(false);
    st.execute("SELECT pg_advisory_xact_lock(hashtext('_ferry.replication_control'))");
    st.execute("CREATE SCHEMA IF NOT EXISTS _ferry");
    st.execute("""
        CREATE TABLE IF NOT EXISTS _ferry.replication_control (
          source text PRIMARY KEY,
          applied_gtids text NOT NULL,
          journal_position text,
          schema_sequence bigint,
          last_commit_time timestamptz,
          updated_at timestamptz NOT NULL DEFAULT now())""");
    st.execute("""
        CREATE TABLE IF NOT EXISTS _ferry.conflicts (
          id bigserial PRIMARY KEY,
          detected_at timestamptz NOT NULL,
          replica text NOT NULL,
          source text NOT NULL,
          gtid text NOT NULL,
          conflict_type text NOT NULL,
          table_name text NOT NULL,
          row_key text NOT NULL,
          local_row text,
          remote_row text,
          resolution text NOT NULL)""");
    c.commit();
    c.setAutoCommit(true);
  }

  /**
   * Tables made before 'ferry table add' lack the table of copies; made only when missing (see
   * above), under the lock that makes appliers opening at once take turns.
   */
  private static void createTableCopies(Connection c, Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT to_regclass('_ferry.table_copies') IS NOT NULL")) {
      rs.next();
      if (rs.getBoolean(1)) {
        return;
      }
    }
    c.setAutoCommit(false);
    try {
      st.execute("SELECT pg_advisory_xact_lock(hashtext('_ferry.replication_control'))");
      st.execute("""
          CREATE TABLE IF NOT EXISTS _ferry.table_copies (
            source text NOT NULL,
            table_name text NOT NULL,
            state text NOT NULL,
            snapshot_position text,
            updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
            PRIMARY KEY (source, table_name))""");
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** Tables made before the consumer check lack the last transaction's GTID and checksum. */
  private static void addProgressChecksumColumns(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_attribute WHERE attrelid = "
        + "'_ferry.replication_control'::regclass AND attname IN ('last_gtid', 'last_checksum') AND NOT attisdropped")) {
      rs.next();
      if (rs.getInt(1) == 2) {
        return;
      }
    }
    st.execute("ALTER TABLE _ferry.replication_control ADD COLUMN IF NOT EXISTS last_gtid text, "
        + "ADD COLUMN IF NOT EXISTS last_checksum bigint");
  }
}
