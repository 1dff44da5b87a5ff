package dev.ferry.testkit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * A pgbench-like bank: transfers between accounts, new and closed accounts, and documents
 * inserted and deleted, over tables with varied column types (integers, exact numerics, floating
 * point, booleans, time stamps, unicode text, binary, NULLs). Runs on PostgreSQL and SQLite with
 * the same values, so {@link TableDigest}s of the two agree after the same single-client run.
 *
 * <p>Every transaction keeps the sum of {@code accounts.balance} constant: transfers move money,
 * a new account starts at zero and is funded by a transfer, a closed account hands its balance
 * to a founding account before it is deleted. {@link #totalBalance} checks it.
 *
 * <p>The operations and values of a {@link WorkloadClient} are a function of its seed and client
 * number; with concurrent clients the interleaving, and so the outcome, varies.
 */
public final class BankWorkload {
  /** The workload's tables, parents first. */
  public static final List<String> TABLES = List.of("branches", "tellers", "accounts", "history", "documents");

  public static final long INITIAL_BALANCE = 10_000;

  private final Dialect dialect;
  private final int accounts;

  /** The SQL differences between the databases the workload runs on. */
  public enum Dialect {
    POSTGRES("BIGINT", "INTEGER", "NUMERIC(12,4)", "DOUBLE PRECISION", "BOOLEAN", "TIMESTAMPTZ", "BYTEA", "TEXT"),
    SQLITE("INTEGER", "INTEGER", "NUMERIC", "REAL", "INTEGER", "TEXT", "BLOB", "TEXT"),
    /** A MariaDB source's or replica's schema; its time stamps are DATETIME(6) in UTC. */
    MARIADB("BIGINT", "INT", "DECIMAL(12,4)", "DOUBLE", "BOOLEAN", "DATETIME(6)", "LONGBLOB", "TEXT");

    final String bigint;
    final String integer;
    final String numeric;
    final String float64;
    final String bool;
    final String timestamp;
    final String binary;
    final String text;

    Dialect(String bigint, String integer, String numeric, String float64, String bool, String timestamp,
        String binary, String text) {
      this.bigint = bigint;
      this.integer = integer;
      this.numeric = numeric;
      this.float64 = float64;
      this.bool = bool;
      this.timestamp = timestamp;
      this.binary = binary;
      this.text = text;
    }

    public static Dialect of(Connection c) throws SQLException {
      String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
      if (product.contains("postgres")) {
        return POSTGRES;
      }
      if (product.contains("sqlite")) {
        return SQLITE;
      }
      if (product.contains("mariadb")) {
        return MARIADB;
      }
      throw new IllegalArgumentException("BankWorkload runs on PostgreSQL or SQLite, not " + product);
    }
  }

  /** A bank of {@code accounts} founding accounts, on the database {@code c} belongs to. */
  public BankWorkload(Dialect dialect, int accounts) {
    if (accounts < 2) {
      throw new IllegalArgumentException("a bank needs at least 2 accounts, not " + accounts);
    }
    this.dialect = dialect;
    this.accounts = accounts;
  }

  public Dialect dialect() {
    return dialect;
  }

  public int accounts() {
    return accounts;
  }

  /** Creates the tables (which must not exist yet). */
  public void createSchema(Connection c) throws SQLException {
    Dialect d = dialect;
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE branches (id " + d.integer + " PRIMARY KEY, balance " + d.bigint
          + " NOT NULL, name " + d.text + " NOT NULL)");
      st.execute("CREATE TABLE tellers (id " + d.integer + " PRIMARY KEY, branch_id " + d.integer
          + " NOT NULL, balance " + d.bigint + " NOT NULL, name " + d.text + ")");
      st.execute("CREATE TABLE accounts (id " + d.bigint + " PRIMARY KEY, owner " + d.text + " NOT NULL, balance "
          + d.bigint + " NOT NULL, rate " + d.numeric + ", active " + d.bool + " NOT NULL, opened_at "
          + d.timestamp + " NOT NULL, note " + d.text + ")");
      st.execute("CREATE TABLE history (id " + d.bigint + " PRIMARY KEY, from_id " + d.bigint + " NOT NULL, to_id "
          + d.bigint + " NOT NULL, teller_id " + d.integer + " NOT NULL, amount " + d.bigint + " NOT NULL, at "
          + d.timestamp + " NOT NULL, memo " + d.text + ")");
      st.execute("CREATE TABLE documents (id " + d.bigint + " PRIMARY KEY, account_id " + d.bigint
          + " NOT NULL, title " + d.text + " NOT NULL, body " + d.binary + ", score " + d.float64 + ", tags "
          + d.text + ")");
    }
    commitIfNeeded(c);
  }

  /** Inserts the founding accounts, ten tellers and two branches. */
  public void load(Connection c) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try (PreparedStatement b = c.prepareStatement("INSERT INTO branches VALUES (?, 0, ?)");
        PreparedStatement t = c.prepareStatement("INSERT INTO tellers VALUES (?, ?, 0, ?)");
        PreparedStatement a = c.prepareStatement("INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (int i = 1; i <= 2; i++) {
        b.setInt(1, i);
        b.setString(2, "Branch " + i);
        b.executeUpdate();
      }
      for (int i = 1; i <= 10; i++) {
        t.setInt(1, i);
        t.setInt(2, 1 + i % 2);
        t.setString(3, i % 3 == 0 ? null : "Teller " + i);
        t.executeUpdate();
      }
      Values values = new Values(dialect, 0);
      for (long id = 1; id <= accounts; id++) {
        values.bindAccount(a, id, INITIAL_BALANCE);
        a.addBatch();
        if (id % 1000 == 0) {
          a.executeBatch();
        }
      }
      a.executeBatch();
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  /** A client issuing this bank's transactions; clients must have distinct numbers. */
  public WorkloadClient client(int clientNumber, long seed) {
    return new WorkloadClient(this, clientNumber, seed);
  }

  /** The sum of all account balances: {@code accounts × INITIAL_BALANCE} at every commit. */
  public static long totalBalance(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT SUM(balance) FROM accounts")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void commitIfNeeded(Connection c) throws SQLException {
    if (!c.getAutoCommit()) {
      c.commit();
    }
  }
}
