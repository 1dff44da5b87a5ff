package dev.ferry.apply.jdbc;

import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.txAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyException;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.dialect.sqlite.SqliteReadOnly;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.TableId;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteApplierTest extends ApplierContractTest {
  @RegisterExtension final FreshSqliteTarget sqlite = new FreshSqliteTarget();

  @Override
  ConnectionSource target() {
    return sqlite.target();
  }

  @Override
  String sqlName(TableId table) {
    String name = table.schema().equals("public") ? table.name() : table.schema() + "." + table.name();
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  @Override
  String type(String pgType) {
    return switch (pgType) {
      case "int8", "int4" -> "INTEGER";
      default -> "TEXT";
    };
  }

  @Override
  String conflictsTable() {
    return "ferry_conflicts";
  }

  @Override
  void createSequence(TableId seq) {
    // SQLite has no sequences: the applier keeps their values in ferry_sequences.
  }

  @Override
  long sequenceValue(TableId seq) throws SQLException {
    return Long.parseLong(rows("SELECT value FROM ferry_sequences WHERE name = '" + seq + "'").getFirst());
  }

  @Test
  void ddlSqliteCannotTakeStopsWithAClearErrorUnlessSkipped() throws Exception {
    createAccounts();
    Change.Ddl ddl = new Change.Ddl("ALTER TABLE public.accounts ALTER COLUMN n TYPE numeric", "public", 2);
    try (Applier applier = open(config())) {
      applier.apply(txAt(1, 1, insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "a")));
      assertThatThrownBy(() -> applier.apply(txAt(2, 2, ddl)))
          .isInstanceOf(ApplyException.class)
          .hasMessageStartingWith("[replica r1] cannot apply 0-1-2: the SQLite target cannot take the DDL"
              + " 'ALTER TABLE public.accounts ALTER COLUMN n TYPE numeric'")
          .hasMessageContaining("set skip-ddl: true for this replica");
      assertThat(applier.position().schemaSequence()).hasValue(1);
    }
    try (Applier applier = open(config().withSkipDdl(true))) {
      applier.applyAll(List.of(txAt(2, 2, ddl), txAt(3, 2, insert(ACCOUNTS, ACCOUNT_COLS, 2, 2, "b"))).iterator());
      assertThat(applier.position().schemaSequence()).hasValue(2);
    }
    assertThat(accounts()).containsExactly("1|1|a", "2|2|b");
  }

  @Test
  void ddlSqliteCanTakeIsApplied() throws Exception {
    try (Applier applier = open(config())) {
      applier.applyAll(List.of(txAt(1, 3, new Change.Ddl("CREATE TABLE accounts (id INTEGER PRIMARY KEY, n INTEGER,"
          + " note TEXT)", "public", 3), insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "a"))).iterator());
    }
    assertThat(accounts()).containsExactly("1|1|a");
  }

  @Test
  void readOnlyReplicaRefusesOtherConnectionsWritesButNotFerrysAndGuardsTablesCreatedByDdl() throws Exception {
    createAccounts();
    try (Applier applier = open(config().withReadOnlyReplica(true))) {
      applier.apply(txAt(1, 1, new Change.Ddl("CREATE TABLE later (id INTEGER PRIMARY KEY)", "public", 1)));
      applier.apply(txAt(2, 1, insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "a")));
      applier.apply(txAt(3, 2, new Change.Ddl("ALTER TABLE later RENAME TO renamed", "public", 2)));
      applier.apply(txAt(4, 3, new Change.Ddl("CREATE TABLE later (id INTEGER PRIMARY KEY)", "public", 3)));
    }
    for (String write : List.of("INSERT INTO accounts VALUES (2, 2, 'b')", "UPDATE accounts SET n = 5",
        "DELETE FROM accounts", "INSERT INTO later VALUES (1)", "INSERT INTO renamed VALUES (1)")) {
      assertThatThrownBy(() -> exec(write)).as(write).isInstanceOf(SQLException.class)
          .hasMessageContaining("replica is read-only").hasMessageContaining("Ferry replica mode: read-only");
    }
    assertThat(accounts()).containsExactly("1|1|a");
    try (Applier applier = open(config().withReadOnlyReplica(true))) {
      applier.apply(txAt(5, 3, insert(ACCOUNTS, ACCOUNT_COLS, 2, 2, "b")));
    }
    assertThat(accounts()).containsExactly("1|1|a", "2|2|b");
    assertThat(rows("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")).containsExactly("9");
  }

  @Test
  void aConnectionMarkedAsFerrysMayWriteToAReadOnlyReplica() throws Exception {
    createAccounts();
    open(config().withReadOnlyReplica(true)).close();
    try (java.sql.Connection c = target().connect(); java.sql.Statement st = c.createStatement()) {
      SqliteReadOnly.markFerrySession(c);
      st.execute("INSERT INTO accounts VALUES (2, 2, 'local')");
    }
    assertThat(accounts()).containsExactly("2|2|local");
  }

  @Test
  void replicaSwitchedToReadWriteOrTornDownLosesItsGuards() throws Exception {
    createAccounts();
    open(config().withReadOnlyReplica(true)).close();
    assertThat(rows("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")).containsExactly("3");
    open(config()).close();
    exec("INSERT INTO accounts VALUES (2, 2, 'local')");
    assertThat(rows("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' OR name = 'ferry_read_only'"))
        .containsExactly("0");

    open(config().withReadOnlyReplica(true)).close();
    try (java.sql.Connection c = target().connect()) {
      TargetTeardown.remove(c);
    }
    exec("INSERT INTO accounts VALUES (3, 3, 'local')");
    assertThat(rows("SELECT count(*) FROM sqlite_master WHERE name LIKE 'ferry%'")).containsExactly("0");
  }
}
