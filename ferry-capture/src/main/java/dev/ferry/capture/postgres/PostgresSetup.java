package dev.ferry.capture.postgres;

import dev.ferry.capture.CaptureException;
import dev.ferry.journal.model.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares a PostgreSQL source for capture and removes Ferry from it again (used by
 * {@code ferry setup} / {@code ferry teardown}). Idempotent: running setup again brings the
 * publication's table list up to date and leaves the slot where it is.
 *
 * <p>Setup checks everything first ({@code wal_level}, free slots and senders, privileges,
 * replica identities) and changes nothing when a check fails. It then installs the {@code ferry}
 * schema and the publication in one transaction and creates the slot last. Stateless and
 * thread-safe.
 */
public final class PostgresSetup {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresSetup.class);

  /** What setup found and made. */
  public record Result(List<TableId> tables, boolean slotCreated) {
    public Result {
      tables = List.copyOf(tables);
    }
  }

  private PostgresSetup() {
  }

  /**
   * Checks the source and creates what capture needs.
   *
   * @throws CaptureException naming the setting or tables when a check fails
   */
  public static Result setup(PostgresSourceConfig config) throws CaptureException {
    String prefix = config.side() + " ";
    try (Connection c = Connections.normal(config)) {
      SetupChecks checks = new SetupChecks(config, c);
      List<TableId> tables = checks.run();
      install(config, c, tables);
      boolean created = !checks.slotExists();
      if (created) {
        createSlot(config, c);
      }
      LOG.info("{}setup done: publication {} with {} tables, slot {} ({})", prefix, config.publicationName(),
          tables.size(), config.slotName(), created ? "created" : "kept");
      return new Result(tables, created);
    } catch (SQLException e) {
      throw new CaptureException(config.name(), "setup failed: " + e.getMessage() + " (SQLSTATE "
          + e.getSQLState() + ")", e);
    }
  }

  /**
   * Moves {@code _ferry.schema_sequence} (what DDL captured here is numbered from) above
   * {@code reached}, the highest schema sequence of the journal this database continues after a
   * promotion: DDL captured here then carries a higher schema sequence than any the journal holds.
   * Never moves it back; a {@code reached} of 0 (no DDL numbered yet) changes nothing. Needs
   * {@link #setup} first.
   *
   * @return the schema sequence the next DDL captured here gets
   */
  public static long raiseSchemaSequence(PostgresSourceConfig config, long reached) throws CaptureException {
    try (Connection c = Connections.normal(config)) {
      if (reached > 0) {
        try (PreparedStatement ps = c.prepareStatement("SELECT setval('_ferry.schema_sequence', ?) FROM "
            + "_ferry.schema_sequence WHERE NOT is_called OR last_value < ?")) {
          ps.setLong(1, reached);
          ps.setLong(2, reached);
          ps.execute();
        }
      }
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM "
              + "_ferry.schema_sequence")) {
        rs.next();
        long next = rs.getLong(1);
        LOG.info("{} the next DDL captured gets schema sequence {} (the journal reached {})", config.side(), next,
            reached);
        return next;
      }
    } catch (SQLException e) {
      throw new CaptureException(config.name(), "cannot move _ferry.schema_sequence above " + reached + ": "
          + e.getMessage() + " (SQLSTATE " + e.getSQLState() + ")", e);
    }
  }

  /**
   * Checks that {@code table} can be added to a running capture ({@code ferry table add}): capture
   * is set up, the table exists and has a usable replica identity. Changes nothing.
   *
   * @return whether the table is in the publication already
   * @throws CaptureException naming the table and what to do
   */
  public static boolean checkAddable(PostgresSourceConfig config, TableId table) throws CaptureException {
    try (Connection c = Connections.normal(config)) {
      SetupChecks checks = new SetupChecks(config, c);
      if (!publicationExists(config, c)) {
        throw new CaptureException(config.name(), "publication " + config.publicationName() + " does not exist: run "
            + "ferry setup first");
      }
      checks.checkAddable(table);
      return checks.published(table);
    } catch (SQLException e) {
      throw new CaptureException(config.name(), "cannot check table " + table + ": " + e.getMessage()
          + " (SQLSTATE " + e.getSQLState() + ")", e);
    }
  }

  /**
   * Adds {@code table} to the publication unless it is in it: capture streams its changes from the
   * commit of this on. Needs the publication's owner (the role setup ran as) or a superuser.
   */
  public static void publish(PostgresSourceConfig config, TableId table) throws CaptureException {
    try (Connection c = Connections.normal(config)) {
      if (new SetupChecks(config, c).published(table)) {
        return;
      }
      try (Statement st = c.createStatement()) {
        st.execute("ALTER PUBLICATION " + Connections.quote(config.publicationName()) + " ADD TABLE "
            + SetupChecks.sql(table));
      }
      LOG.info("{} table {} added to publication {}", config.side(), table, config.publicationName());
    } catch (SQLException e) {
      throw new CaptureException(config.name(), "cannot add " + table + " to publication "
          + config.publicationName() + ": " + e.getMessage() + " (SQLSTATE " + e.getSQLState() + "); the role "
          + "must own the publication (run as the role 'ferry setup' ran as, e.g. postgres)", e);
    }
  }

  /**
   * What {@code run} and {@code capture} do before streaming. A superuser, or a source never set
   * up, gets {@link #setup} (idempotent; it refuses a role that is no superuser and says so). A
   * source set up before, reached by a role that is no superuser, is only verified: capture then
   * needs no more than {@code REPLICATION} and read access, and a selected table the publication
   * lacks is reported (setup, run again as a superuser, adds it) rather than added.
   *
   * @throws CaptureException naming the setting when a check fails
   */
  public static void prepareForCapture(PostgresSourceConfig config) throws CaptureException {
    String prefix = config.side() + " ";
    try (Connection c = Connections.normal(config)) {
      SetupChecks checks = new SetupChecks(config, c);
      if (checks.isSuperuser() || !checks.installed()) {
        c.close();
        setup(config);
        return;
      }
      List<TableId> unpublished = checks.verifyForCapture();
      if (!unpublished.isEmpty()) {
        LOG.warn("{}tables {} match the selection but are not in publication {}, so their changes are not "
            + "captured: run ferry setup again as a superuser to add them", prefix, unpublished,
            config.publicationName());
      }
      LOG.info("{}set up before: slot {} and publication {} found, role is no superuser, nothing changed", prefix,
          config.slotName(), config.publicationName());
    } catch (SQLException e) {
      throw new CaptureException(config.name(), "cannot check the source: " + e.getMessage() + " (SQLSTATE "
          + e.getSQLState() + ")", e);
    }
  }

  /**
   * Moves what an earlier Ferry installed in a schema named {@code ferry} to {@code _ferry}, so
   * that the schema sequence goes on where it was (replicas compare it); the old functions go, and
   * the old schema too when nothing else is left in it. Runs while {@code ferry.installing} is on,
   * so the old event trigger does not replicate it.
   */
  private static final String MOVE_FROM_OLD_SCHEMA = """
      DO $$
      BEGIN
        IF to_regclass('ferry.schema_sequence') IS NULL OR to_regnamespace('_ferry') IS NOT NULL THEN
          RETURN;
        END IF;
        CREATE SCHEMA _ferry;
        ALTER SEQUENCE ferry.schema_sequence SET SCHEMA _ferry;
        IF to_regclass('ferry.slot') IS NOT NULL THEN
          ALTER TABLE ferry.slot SET SCHEMA _ferry;
        END IF;
        DROP FUNCTION IF EXISTS ferry.on_ddl_command_end() CASCADE;
        DROP FUNCTION IF EXISTS ferry.on_sql_drop() CASCADE;
        BEGIN
          DROP SCHEMA ferry;
        EXCEPTION WHEN dependent_objects_still_exist THEN
          NULL;
        END;
      END $$""";

  private static void install(PostgresSourceConfig config, Connection c, List<TableId> tables) throws SQLException {
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute("SELECT set_config('ferry.installing', 'on', true)");
      st.execute(MOVE_FROM_OLD_SCHEMA);
      for (String sql : FerrySchema.INSTALL) {
        st.execute(sql);
      }
      String tableList = tables.stream().map(SetupChecks::sql).collect(Collectors.joining(", "));
      String pub = Connections.quote(config.publicationName());
      st.execute(publicationExists(config, c)
          ? "ALTER PUBLICATION " + pub + " SET TABLE " + tableList
          : "CREATE PUBLICATION " + pub + " FOR TABLE " + tableList);
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private static void createSlot(PostgresSourceConfig config, Connection c) throws SQLException {
    String createdLsn;
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')")) {
      ps.setString(1, config.slotName());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        createdLsn = rs.getString(1);
      }
    }
    // Recorded so that capture can tell this slot from one the journal was captured from before.
    // (Not in the slot's statement: a slot cannot be created by a transaction that has written.)
    try (PreparedStatement ps = c.prepareStatement("""
        INSERT INTO _ferry.slot (slot_name, created_lsn) VALUES (?, ?::pg_lsn)
        ON CONFLICT (slot_name) DO UPDATE SET created_lsn = EXCLUDED.created_lsn, created_at = now()""")) {
      ps.setString(1, config.slotName());
      ps.setString(2, createdLsn);
      ps.execute();
    }
  }

  static boolean publicationExists(PostgresSourceConfig config, Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
      ps.setString(1, config.publicationName());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Removes the slot, the publication and the {@code ferry} schema. Safe to run twice.
   *
   * @throws CaptureException when the slot is still streaming to a capture
   */
  public static void teardown(PostgresSourceConfig config) throws CaptureException {
    try (Connection c = Connections.normal(config); Statement st = c.createStatement()) {
      dropSlot(config, c);
      st.execute("DROP PUBLICATION IF EXISTS " + Connections.quote(config.publicationName()));
      for (String sql : FerrySchema.REMOVE) {
        st.execute(sql);
      }
      LOG.info("{} teardown done: slot {}, publication {} and schema _ferry removed", config.side(),
          config.slotName(), config.publicationName());
    } catch (SQLException e) {
      throw new CaptureException(config.name(), "teardown failed: " + e.getMessage() + " (SQLSTATE "
          + e.getSQLState() + ")", e);
    }
  }

  private static void dropSlot(PostgresSourceConfig config, Connection c) throws SQLException, CaptureException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, config.slotName());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return;
        }
        int pid = rs.getInt(1);
        if (!rs.wasNull()) {
          throw new CaptureException(config.name(), "teardown: slot '" + config.slotName()
              + "' is active for process " + pid + ": stop the capture first");
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
      ps.setString(1, config.slotName());
      ps.execute();
    }
  }
}
