package dev.ferry.apply.jdbc;

import static dev.ferry.journal.fixtures.Transactions.table;

import dev.ferry.apply.ConnectionSource;
import dev.ferry.journal.model.TableId;
import dev.ferry.testkit.MariaDbServerExtension;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeEach;
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
}
