package dev.ferry.apply.dialect.postgres;

import dev.ferry.apply.dialect.SharedControlTables;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Ferry's control tables on PostgreSQL: in schema {@code _ferry}. Stateless. */
public final class PostgresControlTables extends SharedControlTables {
  public static final PostgresControlTables INSTANCE = new PostgresControlTables();
  private static final String SCHEMA = "_ferry";
  /** The conflicts table's columns a conflict's resolution adds (docs/operations.md). */
  private static final String[] RESOLUTION_COLUMNS = {"resolved_at timestamptz", "resolved_by text",
      "resolution_note text"};

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
        IF to_regclass('ferry.%1$s') IS NULL THEN
          RETURN;
        END IF;
        CREATE SCHEMA IF NOT EXISTS _ferry;
        FOREACH t IN ARRAY ARRAY['%1$s', '%2$s', '%3$s', '%4$s'] LOOP
          IF to_regclass('ferry.' || t) IS NOT NULL AND to_regclass('_ferry.' || t) IS NULL THEN
            EXECUTE format('ALTER TABLE ferry.%%I SET SCHEMA _ferry', t);
          END IF;
        END LOOP;
        BEGIN
          DROP SCHEMA ferry;
        EXCEPTION WHEN dependent_objects_still_exist THEN
          NULL;
        END;
      END $$""".formatted(PROGRESS, CONFLICTS, ARCHIVE_LOADS, SYNC_INDEXES);

  private PostgresControlTables() {
  }

  @Override
  public String table(String baseName) {
    return SCHEMA + "." + baseName;
  }

  @Override
  public boolean exists(Connection c, String baseName) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT to_regclass('" + table(baseName) + "') IS NOT NULL")) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  @Override
  public void prepare(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(MOVE_FROM_OLD_SCHEMA);
      if (!progressAndConflictsExist(st)) {
        create(c, st);
      }
      addMissingColumns(st, progress(), "last_gtid text", "last_checksum bigint");
      addMissingColumns(st, conflicts(), RESOLUTION_COLUMNS);
      createTableCopies(c, st);
    }
  }

  /**
   * Tables made before 'ferry table add' lack the table of copies; made only when missing (see
   * {@link #create}), under the lock that makes appliers opening at once take turns.
   */
  private void createTableCopies(Connection c, Statement st) throws SQLException {
    if (exists(c, TABLE_COPIES)) {
      return;
    }
    c.setAutoCommit(false);
    try {
      st.execute("SELECT pg_advisory_xact_lock(hashtext('" + progress() + "'))");
      st.execute("""
          CREATE TABLE IF NOT EXISTS %s (
            source text NOT NULL,
            table_name text NOT NULL,
            state text NOT NULL,
            snapshot_position text,
            updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
            PRIMARY KEY (source, table_name))""".formatted(tableCopies()));
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private boolean progressAndConflictsExist(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT to_regclass('" + progress() + "') IS NOT NULL "
        + "AND to_regclass('" + conflicts() + "') IS NOT NULL")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /**
   * Creates {@code _ferry} and its tables. Only when missing: CREATE … IF NOT EXISTS needs the
   * CREATE privilege even when the object exists, which a role applying to tables another role
   * prepared need not have.
   */
  private void create(Connection c, Statement st) throws SQLException {
    // CREATE … IF NOT EXISTS races with itself: appliers opening at once take turns.
    c.setAutoCommit(false);
    st.execute("SELECT pg_advisory_xact_lock(hashtext('" + progress() + "'))");
    st.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
    st.execute("""
        CREATE TABLE IF NOT EXISTS %s (
          source text PRIMARY KEY,
          applied_gtids text NOT NULL,
          journal_position text,
          schema_sequence bigint,
          last_commit_time timestamptz,
          updated_at timestamptz NOT NULL DEFAULT now())""".formatted(progress()));
    st.execute("""
        CREATE TABLE IF NOT EXISTS %s (
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
          resolution text NOT NULL,
          resolved_at timestamptz,
          resolved_by text,
          resolution_note text)""".formatted(conflicts()));
    c.commit();
    c.setAutoCommit(true);
  }

  /**
   * Adds the columns later versions added ({@code "name type"} each): the progress table's last
   * transaction's GTID and checksum (the consumer check), the conflicts table's resolution. Checked
   * first: ALTER TABLE needs the table's owner even when it changes nothing.
   */
  private void addMissingColumns(Statement st, String table, String... columns) throws SQLException {
    List<String> names = Arrays.stream(columns).map(col -> "'" + col.substring(0, col.indexOf(' ')) + "'").toList();
    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_attribute WHERE attrelid = '" + table
        + "'::regclass AND attname IN (" + String.join(", ", names) + ") AND NOT attisdropped")) {
      rs.next();
      if (rs.getInt(1) == columns.length) {
        return;
      }
    }
    st.execute("ALTER TABLE " + table + " " + Arrays.stream(columns).map(col -> "ADD COLUMN IF NOT EXISTS " + col)
        .collect(Collectors.joining(", ")));
  }

  @Override
  public void createSyncIndexes(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      // Schema _ferry exists: SeedTarget.on made it for the progress table.
      st.execute("CREATE TABLE IF NOT EXISTS " + syncIndexes() + " (table_name text NOT NULL, name text NOT NULL,"
          + " is_constraint boolean NOT NULL, definition text NOT NULL, ord int NOT NULL,"
          + " PRIMARY KEY (table_name, name))");
    }
  }

  /** Drops the tables, an empty {@code sync_indexes}, and {@code _ferry} when nothing else is left in it. */
  @Override
  public void drop(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + progress() + ", " + conflicts() + ", " + archiveLoads() + ", "
          + tableCopies());
      // A killed seed's kept index definitions are the only way to build those indexes again: kept, with the schema.
      // Two IFs: PL/pgSQL plans an expression when it first runs it, and a missing table fails the plan.
      st.execute("""
          DO $$
          BEGIN
            IF to_regclass('%1$s') IS NOT NULL THEN
              IF NOT EXISTS (SELECT 1 FROM %1$s) THEN
                DROP TABLE %1$s;
              END IF;
            END IF;
          END $$""".formatted(syncIndexes()));
      try (ResultSet rs = st.executeQuery("""
          SELECT NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                             WHERE n.nspname = '%1$s')
             AND NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                             WHERE n.nspname = '%1$s')""".formatted(SCHEMA))) {
        rs.next();
        if (rs.getBoolean(1)) {
          st.execute("DROP SCHEMA IF EXISTS " + SCHEMA);
        }
      }
    }
  }

  @Override
  protected Optional<Instant> readTime(ResultSet rs, int index) throws SQLException {
    return Optional.ofNullable(rs.getObject(index, OffsetDateTime.class)).map(OffsetDateTime::toInstant);
  }
}
