package dev.ferry.apply.jdbc;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.txAt;
import static dev.ferry.journal.fixtures.Transactions.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ApplyException;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.dialect.mariadb.MariaDbDialect;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.TableId;
import dev.ferry.testkit.MariaDbServerExtension;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
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
  private static final AtomicInteger DATABASES = new AtomicInteger();
  @RegisterExtension
  static final MariaDbServerExtension mariadb = new MariaDbServerExtension();
  private String url;

  @BeforeEach
  void freshDatabase() throws SQLException {
    StringBuilder u = new StringBuilder(mariadb.server().createDatabase("target" + DATABASES.incrementAndGet()))
        .append("&sessionVariables=sql_mode=ANSI_QUOTES");
    MariaDbDialect.INSTANCE.driverProperties().forEach((k, v) -> u.append('&').append(k).append('=').append(v));
    url = u.toString();
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
   * MariaDB commits a DDL statement on its own, which would commit part of a source transaction
   * without its progress row: a MariaDB target refuses replicated DDL, before anything of the
   * transaction is committed, and stops with advice (the contract's version expects the DDL applied).
   */
  @Override
  @Test
  void largeTransactionWithCreateTableThenSixThousandUpdatesOfAnotherTableApplies() throws Exception {
    createAccounts();
    List<Change> seed = new ArrayList<>();
    List<Change> big = new ArrayList<>();
    big.add(new Change.Ddl("CREATE TABLE audit (id BIGINT PRIMARY KEY, what TEXT)", "public", 2));
    for (long id = 1; id <= 6000; id++) {
      seed.add(insert(ACCOUNTS, ACCOUNT_COLS, id, 0, "s"));
      big.add(update(ACCOUNTS, ACCOUNT_COLS, List.of(), id, id, "u"));
    }
    big.add(insert(table("audit"), cols("id:int8", "what:text"), 1, "after"));
    LargeTxs.journal(journalDir, List.of(txAt(1, 1, seed.toArray(Change[]::new)),
        txAt(2, 2, big.toArray(Change[]::new))));
    try (Applier applier = open(ApplyConfig.defaults("r1", "src-1"))) {
      assertThatThrownBy(() -> LargeTxs.apply(applier, journalDir))
          .isInstanceOf(ApplyException.class)
          .hasMessageContaining("cannot apply 0-1-2: the MariaDB target cannot take the DDL 'CREATE TABLE audit")
          .hasMessageContaining("set skip-ddl: true");
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:1"));
    }
    assertThat(rows("SELECT count(*), sum(n), min(note), max(note) FROM " + sqlName(ACCOUNTS)))
        .containsExactly("6000|0|s|s");
    assertThat(rows("SELECT count(*) FROM information_schema.TABLES WHERE TABLE_NAME = 'audit'")).containsExactly("0");
  }
}
