package dev.ferry.apply.jdbc;

import dev.ferry.apply.dialect.mariadb.MariaDbDialect;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.MariaDbServerExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A fresh database per test on a class's MariaDB server, its URL carrying the dialect's driver properties as the node adds them. */
public final class MariaDbTargets {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private MariaDbTargets() {
  }

  /** Creates database {@code prefix}N; its URL with {@code urlExtra} (e.g. {@code &sessionVariables=…}) appended. */
  public static String fresh(MariaDbServerExtension mariadb, String prefix, String urlExtra) throws SQLException {
    StringBuilder u = new StringBuilder(mariadb.server().createDatabase(prefix + DATABASES.incrementAndGet()))
        .append(urlExtra);
    MariaDbDialect.INSTANCE.driverProperties().forEach((k, v) -> u.append('&').append(k).append('=').append(v));
    return u.toString();
  }

  /** Runs {@code sql} on {@code url}. */
  public static void execute(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /** The rows {@code sql} reads on {@code url}, each as its columns joined by {@code |}. */
  public static List<String> rows(String url, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder r = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          r.append(i > 1 ? "|" : "").append(rs.getString(i));
        }
        out.add(r.toString());
      }
    }
    return out;
  }

  /** A MariaDB source's DDL (marked not replayed on other targets, as its capture marks it), in database {@code app}. */
  static Change.Ddl ddl(String sql, long schemaSequence) {
    return new Change.Ddl(sql, "app", schemaSequence, Optional.of("MariaDB (not replayed on other targets)"));
  }

  /** A PostgreSQL source's DDL with the default search path. */
  static Change.Ddl pg(String sql) {
    return new Change.Ddl(sql, "\"$user\", public", 0);
  }

  /** A MariaDB source's transaction {@code seq} at a binlog position. */
  static Transaction binlog(long seq, long schemaSequence, Change... changes) {
    return new Transaction(Transactions.gtid(seq), Transactions.T0.plusSeconds(seq), schemaSequence,
        SourcePosition.binlog("mariadb-bin.000001", 100 * seq), List.of(changes));
  }
}
