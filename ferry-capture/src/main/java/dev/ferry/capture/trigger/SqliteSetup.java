package dev.ferry.capture.trigger;

import dev.ferry.capture.CaptureException;
import dev.ferry.journal.model.TableId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs and removes Ferry's objects in a SQLite source: the change table, two bookkeeping
 * tables and AFTER INSERT/UPDATE/DELETE triggers on every selected table. Idempotent: once
 * installed, a second setup changes nothing (capture itself follows later schema changes and
 * journals them). Not thread-safe; uses the given connection's transaction.
 */
public final class SqliteSetup {
  private static final Logger log = LoggerFactory.getLogger(SqliteSetup.class);

  /** The change table the triggers write into, what holds a SQLite source's changes for Ferry. */
  public static final String CHANGE_TABLE = "_ferry_changes";

  private SqliteSetup() {}

  /**
   * Installs capture for the tables {@code config} selects, unless already installed; returns the
   * captured tables.
   *
   * @throws CaptureException naming every selected table that cannot be captured, and why; nothing
   *     is installed then
   */
  public static List<TableId> setup(Connection c, SqliteSourceConfig config) throws CaptureException, SQLException {
    try (WriteTransaction tx = WriteTransaction.begin(c)) {
      if (Bookkeeping.installed(c) && Bookkeeping.state(c, Bookkeeping.SCHEMA_VERSION).isPresent()) {
        List<TableId> tables = Bookkeeping.capturedTables(c).keySet().stream().map(t -> new TableId("main", t)).toList();
        tx.commit();
        return tables;
      }
      List<SqliteTable> selected = selectedTables(c, config);
      for (String sql : TriggerSql.CREATE_TABLES) {
        execute(c, sql);
      }
      for (SqliteTable table : selected) {
        install(c, table);
      }
      Bookkeeping.setState(c, Bookkeeping.SCHEMA_SEQUENCE, 0);
      Bookkeeping.setState(c, Bookkeeping.SCHEMA_VERSION, SqliteCatalog.schemaVersion(c));
      tx.commit();
      log.info("{} capture installed on {} table(s): {}", config.side(), selected.size(),
          selected.stream().map(SqliteTable::name).toList());
      return selected.stream().map(SqliteTable::id).toList();
    }
  }

  /**
   * Numbers DDL captured from now on above {@code reached} ({@code ferry promote --capture}: the
   * highest schema sequence of the journal the database continues), never moving back; capture
   * must be installed. Returns the next DDL's schema sequence.
   */
  public static long raiseSchemaSequence(SqliteSourceConfig config, long reached) throws CaptureException {
    try (Connection c = open(config); WriteTransaction tx = WriteTransaction.begin(c)) {
      long now = Bookkeeping.state(c, Bookkeeping.SCHEMA_SEQUENCE).orElse(0L);
      if (reached > now) {
        Bookkeeping.setState(c, Bookkeeping.SCHEMA_SEQUENCE, reached);
      }
      tx.commit();
      return Math.max(now, reached) + 1;
    } catch (SQLException e) {
      throw new CaptureException(config.name(), "cannot number DDL above schema sequence " + reached + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Checks that {@code table} can be added to a running capture ({@code ferry table add}): capture
   * is set up, the table exists in {@code main} and can carry triggers. Changes nothing.
   *
   * @return whether the table is captured already (its triggers exist)
   * @throws CaptureException naming the table and what to do
   */
  public static boolean checkAddable(SqliteSourceConfig config, TableId table) throws CaptureException {
    try (Connection c = open(config)) {
      return checkAddable(c, config, table).isEmpty();
    } catch (SQLException e) {
      throw new CaptureException(config.name(), "cannot check table " + table + ": " + e.getMessage(), e);
    }
  }

  /**
   * Installs the capture triggers of {@code table} in a running capture ({@code ferry table add}),
   * unless it is captured already; only Ferry's own objects are written (the three triggers and
   * the table's {@code _ferry_tables} row). The schema version moves, so a running capture follows
   * at its next poll and keeps the table captured (see {@code SchemaReconciler}).
   *
   * @return whether the triggers were installed now (false: the table was captured already)
   * @throws CaptureException naming the table when it cannot be captured, or the source when it
   *     cannot be written
   */
  public static boolean addTable(SqliteSourceConfig config, TableId table) throws CaptureException {
    try (Connection c = open(config); WriteTransaction tx = WriteTransaction.begin(c)) {
      Optional<SqliteTable> toInstall = checkAddable(c, config, table);
      if (toInstall.isEmpty()) {
        return false;
      }
      install(c, toInstall.get());
      tx.commit();
      log.info("{} capture triggers installed on {} for 'ferry table add'", config.side(), table);
      return true;
    } catch (SQLException e) {
      throw new CaptureException(config.name(), "cannot install the capture triggers of " + table + ": "
          + e.getMessage(), e);
    }
  }

  /** The table to install, or empty when it is captured already; refusals name the table. */
  private static Optional<SqliteTable> checkAddable(Connection c, SqliteSourceConfig config, TableId table)
      throws SQLException, CaptureException {
    if (!Bookkeeping.installed(c)) {
      throw new CaptureException(config.name(), "capture is not set up in " + config.jdbcUrl() + ": run ferry setup "
          + "first");
    }
    if (!table.schema().equals("main")) {
      throw new CaptureException(config.name(), "table " + table + ": a SQLite source's tables are in schema main "
          + "(write main." + table.name() + ", or the name alone)");
    }
    String sql = SqliteCatalog.tableSql(c).get(table.name());
    if (sql == null) {
      throw new CaptureException(config.name(), "table " + table + " does not exist in " + config.jdbcUrl());
    }
    Optional<String> refusal = SqliteCatalog.refusal(table.name(), sql);
    if (refusal.isPresent()) {
      throw new CaptureException(config.name(), "cannot capture table " + table + ": " + refusal.get());
    }
    if (Bookkeeping.capturedTables(c).containsKey(table.name())) {
      return Optional.empty();
    }
    return Optional.of(SqliteCatalog.describe(c, table.name(), sql));
  }

  private static Connection open(SqliteSourceConfig config) throws SQLException {
    Connection c = DriverManager.getConnection(config.jdbcUrl());
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout = 30000");
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** Removes every trigger and table Ferry installed. Changes not yet captured are lost. */
  public static void teardown(Connection c) throws SQLException {
    try (WriteTransaction tx = WriteTransaction.begin(c)) {
      if (Bookkeeping.installed(c)) {
        for (String table : Bookkeeping.capturedTables(c).keySet()) {
          for (String sql : TriggerSql.dropTriggers(table)) {
            execute(c, sql);
          }
        }
      }
      for (String sql : TriggerSql.DROP_TABLES) {
        execute(c, sql);
      }
      tx.commit();
    }
  }

  static List<SqliteTable> selectedTables(Connection c, SqliteSourceConfig config)
      throws SQLException, CaptureException {
    List<SqliteTable> selected = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (Map.Entry<String, String> t : SqliteCatalog.tableSql(c).entrySet()) {
      if (!config.tables().accepts(new TableId("main", t.getKey()))) {
        continue;
      }
      var why = SqliteCatalog.refusal(t.getKey(), t.getValue());
      if (why.isPresent()) {
        refused.add("main." + t.getKey() + ": " + why.get());
      } else {
        selected.add(SqliteCatalog.describe(c, t.getKey(), t.getValue()));
      }
    }
    if (!refused.isEmpty()) {
      throw new CaptureException(config.name(), "cannot capture " + refused.size() + " selected table(s): "
          + String.join("; ", refused));
    }
    return selected;
  }

  static void install(Connection c, SqliteTable table) throws SQLException {
    for (String sql : TriggerSql.dropTriggers(table.name())) {
      execute(c, sql);
    }
    for (String sql : TriggerSql.createTriggers(table)) {
      execute(c, sql);
    }
    Bookkeeping.recordTable(c, table);
  }

  static void uninstall(Connection c, String table) throws SQLException {
    for (String sql : TriggerSql.dropTriggers(table)) {
      execute(c, sql);
    }
    Bookkeeping.forgetTable(c, table);
  }

  static void execute(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
