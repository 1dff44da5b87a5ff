package dev.ferry.testkit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * One client of a {@link BankWorkload}: each {@link #step} runs one transaction chosen by the
 * client's seeded random source — mostly transfers, some new and closed accounts, documents
 * inserted and deleted. Ids a client creates are its own ({@code clientNumber × 10¹²} upwards),
 * so concurrent clients never collide on a key. Not thread-safe: one thread per client.
 */
public final class WorkloadClient {
  private static final long ID_SPACE = 1_000_000_000_000L;

  /** What a step did. */
  public enum Outcome { TRANSFER, OPEN_ACCOUNT, CLOSE_ACCOUNT, INSERT_DOCUMENT, DELETE_DOCUMENT, ROLLED_BACK }

  private final BankWorkload bank;
  private final Values values;
  private final long idBase;
  private long nextId;
  private final List<Long> openedAccounts = new ArrayList<>();
  private final List<Long> documents = new ArrayList<>();

  WorkloadClient(BankWorkload bank, int clientNumber, long seed) {
    if (clientNumber < 1 || clientNumber > 9000) {
      throw new IllegalArgumentException("client numbers run from 1 to 9000, not " + clientNumber);
    }
    this.bank = bank;
    this.values = new Values(bank.dialect(), seed * 31 + clientNumber);
    this.idBase = clientNumber * ID_SPACE;
  }

  /**
   * Runs one transaction on {@code c} and commits it. A transfer that finds an account closed by
   * another client rolls back; so does a serialization failure or deadlock, which the caller may
   * simply follow with the next step.
   */
  public Outcome step(Connection c) throws SQLException {
    int pick = values.nextInt(100);
    begin(c);
    try {
      Outcome outcome;
      if (pick < 70) {
        outcome = transfer(c) ? Outcome.TRANSFER : Outcome.ROLLED_BACK;
      } else if (pick < 80) {
        outcome = openAccount(c);
      } else if (pick < 85 && !openedAccounts.isEmpty()) {
        outcome = closeAccount(c);
      } else if (pick < 95 || documents.isEmpty()) {
        outcome = insertDocument(c);
      } else {
        outcome = deleteDocument(c);
      }
      if (outcome == Outcome.ROLLED_BACK) {
        rollback(c);
      } else {
        commit(c);
      }
      return outcome;
    } catch (SQLException e) {
      rollback(c);
      if (isTransient(e)) {
        return Outcome.ROLLED_BACK;
      }
      throw e;
    }
  }

  private boolean transfer(Connection c) throws SQLException {
    long from = pickAccount();
    long to = pickAccount();
    if (from == to) {
      to = from == 1 ? 2 : 1;
    }
    return move(c, from, to, 1 + values.nextInt(1000));
  }

  /** Moves money, locking the lower id first so concurrent transfers cannot deadlock. */
  private boolean move(Connection c, long from, long to, long amount) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
      long first = Math.min(from, to);
      long second = Math.max(from, to);
      for (long id : new long[] {first, second}) {
        ps.setLong(1, id == from ? -amount : amount);
        ps.setLong(2, id);
        if (ps.executeUpdate() != 1) {
          return false;
        }
      }
    }
    int teller = 1 + values.nextInt(10);
    try (PreparedStatement t = c.prepareStatement("UPDATE tellers SET balance = balance + ? WHERE id = ?");
        PreparedStatement b = c.prepareStatement("UPDATE branches SET balance = balance + ? WHERE id = ?");
        PreparedStatement h = c.prepareStatement("INSERT INTO history VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      t.setLong(1, amount);
      t.setInt(2, teller);
      t.executeUpdate();
      b.setLong(1, amount);
      b.setInt(2, 1 + teller % 2);
      b.executeUpdate();
      h.setLong(1, newId());
      h.setLong(2, from);
      h.setLong(3, to);
      h.setInt(4, teller);
      h.setLong(5, amount);
      values.bindTimestamp(h, 6);
      h.setString(7, values.nextInt(4) == 0 ? null : values.word());
      h.executeUpdate();
    }
    return true;
  }

  private Outcome openAccount(Connection c) throws SQLException {
    long id = newId();
    try (PreparedStatement a = c.prepareStatement("INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      values.bindAccount(a, id, 0);
      a.executeUpdate();
    }
    if (!move(c, 1 + values.nextInt(bank.accounts()), id, 1 + values.nextInt(500))) {
      return Outcome.ROLLED_BACK;
    }
    openedAccounts.add(id);
    return Outcome.OPEN_ACCOUNT;
  }

  private Outcome closeAccount(Connection c) throws SQLException {
    long id = openedAccounts.remove(values.nextInt(openedAccounts.size()));
    long heir = 1 + values.nextInt(bank.accounts());
    // MariaDB refuses a subquery on the table being updated (error 1093) unless it is a derived table.
    String balanceOf = bank.dialect() == BankWorkload.Dialect.MARIADB
        ? "(SELECT balance FROM (SELECT balance FROM accounts WHERE id = ?) AS closing)"
        : "(SELECT balance FROM accounts WHERE id = ?)";
    try (PreparedStatement give = c.prepareStatement(
            "UPDATE accounts SET balance = balance + " + balanceOf + " WHERE id = ?");
        PreparedStatement del = c.prepareStatement("DELETE FROM accounts WHERE id = ?")) {
      give.setLong(1, id);
      give.setLong(2, heir);
      give.executeUpdate();
      del.setLong(1, id);
      del.executeUpdate();
    }
    return Outcome.CLOSE_ACCOUNT;
  }

  private Outcome insertDocument(Connection c) throws SQLException {
    long id = newId();
    try (PreparedStatement d = c.prepareStatement("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)")) {
      d.setLong(1, id);
      d.setLong(2, 1 + values.nextInt(bank.accounts()));
      d.setString(3, values.word() + " #" + id);
      if (values.nextInt(5) == 0) {
        d.setNull(4, Types.BINARY);
      } else {
        d.setBytes(4, values.bytes());
      }
      d.setDouble(5, values.score());
      d.setString(6, values.nextInt(2) == 0 ? null : values.word() + "," + values.word());
      d.executeUpdate();
    }
    documents.add(id);
    return Outcome.INSERT_DOCUMENT;
  }

  private Outcome deleteDocument(Connection c) throws SQLException {
    long id = documents.remove(values.nextInt(documents.size()));
    try (PreparedStatement d = c.prepareStatement("DELETE FROM documents WHERE id = ?")) {
      d.setLong(1, id);
      d.executeUpdate();
    }
    return Outcome.DELETE_DOCUMENT;
  }

  private long pickAccount() {
    if (!openedAccounts.isEmpty() && values.nextInt(5) == 0) {
      return openedAccounts.get(values.nextInt(openedAccounts.size()));
    }
    return 1 + values.nextInt(bank.accounts());
  }

  private long newId() {
    return idBase + ++nextId;
  }

  // SQLite: BEGIN IMMEDIATE takes the write lock up front, so busy_timeout queues writers
  // instead of failing a deferred transaction's lock upgrade.
  private void begin(Connection c) throws SQLException {
    if (bank.dialect() == BankWorkload.Dialect.SQLITE) {
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        st.execute("BEGIN IMMEDIATE");
      }
    } else {
      c.setAutoCommit(false);
    }
  }

  private void commit(Connection c) throws SQLException {
    if (bank.dialect() == BankWorkload.Dialect.SQLITE) {
      try (Statement st = c.createStatement()) {
        st.execute("COMMIT");
      }
    } else {
      c.commit();
    }
  }

  private void rollback(Connection c) throws SQLException {
    if (bank.dialect() == BankWorkload.Dialect.SQLITE) {
      try (Statement st = c.createStatement()) {
        st.execute("ROLLBACK");
      } catch (SQLException e) {
        // no transaction open (the failed statement ended it): nothing to undo
      }
    } else {
      c.rollback();
    }
  }

  /** A serialization failure or deadlock (PostgreSQL), or SQLITE_BUSY (result code 5, extended codes included). */
  private static boolean isTransient(SQLException e) {
    String state = e.getSQLState();
    return "40001".equals(state) || "40P01".equals(state) || (state == null && (e.getErrorCode() & 0xff) == 5);
  }
}
