package dev.ferry.apply.jdbc;

import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.TableId;
import dev.ferry.testkit.MariaDbServerExtension;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The applier's contract on a MariaDB target: one server for the class, a fresh database per
 * test. The test's own statements use ANSI quotes ({@code sql_mode=ANSI_QUOTES} on its
 * connections, as the contract's SQL is written); Ferry's sessions set their own {@code sql_mode}.
 * The URL carries the dialect's driver properties, as the node adds them.
 */
class MariaDbApplierTest extends ApplierContractTest {
  @RegisterExtension
  static final MariaDbServerExtension mariadb = new MariaDbServerExtension();
  private String url;

  @BeforeEach
  void freshDatabase() throws SQLException {
    url = MariaDbTargets.fresh(mariadb, "target", "&sessionVariables=sql_mode=ANSI_QUOTES");
  }

  @Override
  ConnectionSource target() {
    return () -> DriverManager.getConnection(url);
  }

  @Override
  String sqlName(TableId table) {
    String name = table.schema().equals("public") ? table.name() : table.schema() + "\".\"" + table.name();
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  @Override
  String type(String pgType) {
    return switch (pgType) {
      case "int8" -> "BIGINT";
      case "int4" -> "INT";
      case "text" -> "TEXT";
      default -> pgType;
    };
  }

  @Override
  String conflictsTable() {
    return "ferry_conflicts";
  }

  @Override
  void createSequence(TableId seq) {
    // The applier keeps a source sequence's value in ferry_sequences on MariaDB.
  }

  @Override
  long sequenceValue(TableId seq) throws SQLException {
    return Long.parseLong(rows("SELECT value FROM ferry_sequences WHERE name = '" + seq + "'").getFirst());
  }

  /**
   * A group's 300 one-row inserts into one table go as multi-row {@code INSERT … VALUES}
   * statements, not as 300 row statements ({@code INSERT … SELECT … WHERE NOT EXISTS}): the server's
   * own statement counters say so (this class's server runs one test at a time).
   */
  @Test
  void aGroupsManyInsertsIntoOneTableRunAsMultiRowStatements() throws Exception {
    createAccounts();
    List<Transaction> stream = new ArrayList<>();
    for (long seq = 1; seq <= 300; seq++) {
      stream.add(tx(seq, insert(ACCOUNTS, ACCOUNT_COLS, seq, seq, "i")));
    }
    long rowStatementsBefore = counter("Com_insert_select");
    long insertsBefore = counter("Com_insert");
    try (Applier applier = open(ApplyConfig.defaults("r1", "src-1")
        .withGrouping(new ApplyConfig.Grouping(500, 64L << 20, Duration.ofMinutes(1))))) {
      applier.applyAll(stream.iterator());
      applier.flush();
    }
    assertThat(rows("SELECT count(*) FROM " + sqlName(ACCOUNTS))).containsExactly("300");
    assertThat(counter("Com_insert_select") - rowStatementsBefore).as("row statements").isZero();
    assertThat(counter("Com_insert") - insertsBefore).as("multi-row inserts and the progress row's upserts")
        .isLessThan(10);
  }

  /**
   * A group opens with one read, the progress row and the table-copy marks together
   * ({@link GroupStart}), where it took two round trips before: on a loaded target each costs
   * about a third of a millisecond of a small group's lag (docs/benchmarks.md). The server's
   * {@code Com_select} counts the group's reads ({@code SHOW STATUS} counts as another command).
   */
  @Test
  void aGroupOpensWithOneRead() throws Exception {
    createAccounts();
    try (Applier applier = open(ApplyConfig.defaults("r1", "src-1").withGrouping(ApplyConfig.Grouping.NONE))) {
      applier.apply(tx(1, insert(ACCOUNTS, ACCOUNT_COLS, 1L, 1L, "i")));
      long before = counter("Com_select");
      applier.apply(tx(2, insert(ACCOUNTS, ACCOUNT_COLS, 2L, 2L, "i")));
      assertThat(counter("Com_select") - before).as("reads of a group of one insert").isEqualTo(1);
    }
    assertThat(rows("SELECT count(*) FROM " + sqlName(ACCOUNTS))).containsExactly("2");
  }

  /**
   * A group's progress row and its {@code COMMIT} go to the server in one request
   * ({@link dev.ferry.apply.dialect.Dialect#commitsWithAWrite}): one round trip less per group than a
   * driver's commit after the upsert. The server's general log records each request as one query:
   * the upsert ending in {@code ; COMMIT}, and no {@code COMMIT} sent alone.
   */
  @Test
  void aGroupCommitsInTheRequestOfItsProgressRow() throws Exception {
    List<String> queries = requestsOfTheSecondGroup(target());
    assertThat(queries).as("the requests: %s", queries)
        .filteredOn(q -> q.contains("replication_control") && q.strip().endsWith("; COMMIT")).hasSize(1);
    assertThat(queries).as("the requests: %s", queries).noneMatch(q -> q.strip().equalsIgnoreCase("COMMIT"));
  }

  /** A URL that turns {@code allowMultiQueries} off wins over Ferry's default: the commit goes alone, as before. */
  @Test
  void withSeveralStatementsPerRequestTurnedOffInTheUrlTheCommitIsSentAlone() throws Exception {
    List<String> queries = requestsOfTheSecondGroup(() -> DriverManager.getConnection(url + "&allowMultiQueries=false"));
    assertThat(queries).as("the requests: %s", queries).noneMatch(q -> q.strip().endsWith("; COMMIT"));
    assertThat(queries).as("the requests: %s", queries).anyMatch(q -> q.strip().equalsIgnoreCase("COMMIT"));
  }

  /** The requests the server's general log holds for the second of two one-insert groups; both applied. */
  private List<String> requestsOfTheSecondGroup(ConnectionSource connections) throws Exception {
    createAccounts();
    ApplyConfig config = ApplyConfig.defaults("r1", "src-1").withGrouping(ApplyConfig.Grouping.NONE);
    try (Applier applier = JdbcApplier.open(config, connections)) {
      applier.apply(tx(1, insert(ACCOUNTS, ACCOUNT_COLS, 1L, 1L, "i")));
      MariaDbTargets.execute(url, "SET GLOBAL log_output = 'TABLE'");
      MariaDbTargets.execute(url, "TRUNCATE mysql.general_log");
      MariaDbTargets.execute(url, "SET GLOBAL general_log = ON");
      try {
        applier.apply(tx(2, insert(ACCOUNTS, ACCOUNT_COLS, 2L, 2L, "i")));
      } finally {
        MariaDbTargets.execute(url, "SET GLOBAL general_log = OFF");
      }
    }
    assertThat(rows("SELECT count(*) FROM " + sqlName(ACCOUNTS))).containsExactly("2");
    return rows("SELECT CONVERT(argument USING utf8mb4) FROM mysql.general_log WHERE command_type = 'Query'");
  }

  /** A server status counter; read with {@code SHOW STATUS}, which counts as no {@code SELECT}. */
  private long counter(String name) throws SQLException {
    return Long.parseLong(MariaDbTargets.rows(url, "SHOW GLOBAL STATUS LIKE '" + name + "'").getFirst().split("\\|")[1]);
  }
}
