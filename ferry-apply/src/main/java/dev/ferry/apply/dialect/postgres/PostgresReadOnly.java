package dev.ferry.apply.dialect.postgres;

import dev.ferry.journal.model.Side;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-only PostgreSQL replica, enforced so that no session can lift it with a {@code SET}.
 *
 * <p>Two layers. The database default {@code default_transaction_read_only = on} turns away
 * careless writes with PostgreSQL's own message, but any session may {@code SET} it off. The
 * enforcement is a guard: a statement-level trigger {@value #TRIGGER} on every table of the
 * database (outside the system schemas and {@code _ferry}) that refuses INSERT, UPDATE, DELETE,
 * TRUNCATE and COPY with SQLSTATE 25006. Ferry's apply session runs with
 * {@code session_replication_role = replica}, under which ordinary triggers do not fire at all, and
 * then the guard lets no one through; when Ferry's role may not set it, the guard lets through
 * sessions whose login role is Ferry's (the trigger's argument), which no other role can pretend to
 * be. To write anyway, a role must own the table (to drop or disable the trigger), be a superuser,
 * or have been granted SET on {@code session_replication_role}.
 *
 * <p>Tables created later by replicated DDL are guarded when the DDL is applied
 * ({@link #guardNewTables}); the database's previous {@code default_transaction_read_only}
 * setting is kept in {@code _ferry.saved_settings} so that teardown can restore it. Stateless.
 */
final class PostgresReadOnly {
  private static final Logger log = LoggerFactory.getLogger(PostgresReadOnly.class);
  static final String TRIGGER = "ferry_read_only";
  static final String FUNCTION = "_ferry.refuse_local_write()";
  /** Replicas already told that the database default could not be set, so each is told once per process. */
  private static final Set<String> TOLD = ConcurrentHashMap.newKeySet();

  private static final String GUARD_FUNCTION = """
      CREATE FUNCTION _ferry.refuse_local_write() RETURNS trigger
      LANGUAGE plpgsql SET search_path = pg_catalog AS $$
      BEGIN
        IF TG_ARGV[0] <> '' AND session_user::text = TG_ARGV[0] THEN
          RETURN NULL;
        END IF;
        RAISE EXCEPTION 'replica is read-only: % on %.% refused (only Ferry writes here)',
            TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
          USING ERRCODE = 'read_only_sql_transaction',
                HINT = 'write to the source; Ferry replicates it here (replica mode: read-only)';
      END $$""";

  /** Tables to guard whose guard is missing or names another role than {@code ?}. */
  private static final String UNGUARDED = """
      SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema', '_ferry') AND n.nspname NOT LIKE 'pg\\_%'
        AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'ferry_read_only'
                          AND t.tgargs = convert_to(?, 'UTF8') || '\\x00'::bytea)
      ORDER BY 1""";

  private PostgresReadOnly() {
  }

  /** Installs the guard on every table and sets the database default (autocommit connection). */
  static void enforce(Connection c, String replica) throws SQLException {
    try (Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("SELECT pg_advisory_xact_lock(hashtext('_ferry.refuse_local_write'))");
      if (!functionExists(c)) {
        st.execute(GUARD_FUNCTION);
      }
      guardNewTables(c);
      c.commit();
      c.setAutoCommit(true);
      setDatabaseDefault(st, replica);
    } catch (SQLException e) {
      c.rollback();
      c.setAutoCommit(true);
      throw e;
    }
  }

  static boolean functionExists(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT to_regprocedure('" + FUNCTION + "') IS NOT NULL")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /**
   * Guards the tables that have no guard yet (or one naming another role), in the caller's
   * transaction.
   *
   * @throws SQLException naming the table and the grant to make when the role may not add a trigger
   */
  static void guardNewTables(Connection c) throws SQLException {
    String role;
    List<String> tables = new ArrayList<>();
    String allowed;
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT session_user::text, "
        + "current_setting('session_replication_role') = 'replica'")) {
      rs.next();
      role = rs.getString(1);
      // Under session_replication_role = replica the guard does not fire for Ferry: then no role is let through.
      allowed = rs.getBoolean(2) ? "" : role;
    }
    try (PreparedStatement ps = c.prepareStatement(UNGUARDED)) {
      ps.setString(1, allowed);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
    }
    try (Statement st = c.createStatement()) {
      for (String table : tables) {
        try {
          st.execute("CREATE OR REPLACE TRIGGER " + TRIGGER + " BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON "
              + table + " FOR EACH STATEMENT EXECUTE FUNCTION _ferry.refuse_local_write('"
              + allowed.replace("'", "''") + "')");
        } catch (SQLException e) {
          throw new SQLException("read-only replica: role '" + role + "' cannot add the guard "
              + "trigger that refuses local writes to " + table + " (" + e.getMessage() + "): GRANT TRIGGER ON "
              + table + " TO " + role + "; or make it the table's owner, or use mode: read-write",
              e.getSQLState(), e);
        }
      }
    }
  }

  /** Sets the database default, first keeping the setting it replaces (only the first time). */
  private static void setDatabaseDefault(Statement st, String replica) throws SQLException {
    st.execute("CREATE TABLE IF NOT EXISTS _ferry.saved_settings (name text PRIMARY KEY, value text)");
    Optional<String> before;
    try (ResultSet rs = st.executeQuery("""
        SELECT substr(s, length('default_transaction_read_only=') + 1)
        FROM pg_db_role_setting d, unnest(d.setconfig) s
        WHERE d.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND d.setrole = 0 AND s LIKE 'default\\_transaction\\_read\\_only=%'""")) {
      before = rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
    }
    try {
      st.execute("ALTER DATABASE " + quote(currentDatabase(st)) + " SET default_transaction_read_only = on");
    } catch (SQLException e) {
      if (TOLD.add(replica)) {
        log.warn("{} cannot set default_transaction_read_only on the database ({}): local writes to "
            + "its tables are still refused by the guard triggers, but a table created later on the replica "
            + "itself stays writable. Make Ferry's role the database's owner to set it", Side.replica(replica), e.getMessage());
      }
      return;
    }
    st.execute("INSERT INTO _ferry.saved_settings (name, value) VALUES ('default_transaction_read_only', "
        + before.map(v -> "'" + v.replace("'", "''") + "'").orElse("NULL") + ") ON CONFLICT (name) DO NOTHING");
  }

  /**
   * Removes the guard triggers and puts the database's {@code default_transaction_read_only} back
   * as it was before Ferry set it (the session must have lifted the default for itself).
   */
  static void lift(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      Optional<Optional<String>> saved = savedDefault(st);
      if (saved.isPresent()) {
        String db = quote(currentDatabase(st));
        st.execute(saved.get().isEmpty()
            ? "ALTER DATABASE " + db + " RESET default_transaction_read_only"
            : "ALTER DATABASE " + db + " SET default_transaction_read_only = '"
                + saved.get().get().replace("'", "''") + "'");
      }
      // CASCADE: dropping the guard function drops every guard trigger that uses it.
      st.execute("DROP FUNCTION IF EXISTS " + FUNCTION + " CASCADE");
      st.execute("DROP TABLE IF EXISTS _ferry.saved_settings");
    }
  }

  /** The database's setting before Ferry's (empty inside: it had none); empty when Ferry never set it. */
  private static Optional<Optional<String>> savedDefault(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT to_regclass('_ferry.saved_settings') IS NOT NULL")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        return Optional.empty();
      }
    }
    try (ResultSet rs = st.executeQuery(
        "SELECT value FROM _ferry.saved_settings WHERE name = 'default_transaction_read_only'")) {
      return rs.next() ? Optional.of(Optional.ofNullable(rs.getString(1))) : Optional.empty();
    }
  }

  static String currentDatabase(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT current_database()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
