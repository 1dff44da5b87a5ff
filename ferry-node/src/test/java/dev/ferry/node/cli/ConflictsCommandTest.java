package dev.ferry.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.dialect.Dialect;
import dev.ferry.testkit.PostgresClusterExtension;
import dev.ferry.testkit.SqliteDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry conflicts} on the targets of a configuration (no node running): a read-only
 * PostgreSQL replica with Ferry's guards and database default, and a SQLite replica. Lists with
 * every filter, shows one, resolves one once (exit 1 the second time and for an unknown id), and
 * the resolve goes through Ferry's own session while a plain role's write is still refused.
 */
@Timeout(120)
class ConflictsCommandTest {
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;
  private String pgUrl;
  private SqliteDatabase lite;
  private Path config;

  @BeforeEach
  void targets() throws Exception {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    pgUrl = postgres.cluster().createDatabase("conflicts" + System.nanoTime());
    try (Connection c = DriverManager.getConnection(pgUrl); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance int)");
      st.execute("DO $$ BEGIN CREATE ROLE app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
      st.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON accounts TO app");
      st.execute("GRANT USAGE ON SCHEMA public TO app");
      Dialect.of(c).prepareSession(c, true, "pg"); // what apply does: control tables, guards, database default
      insertConflicts(st, "_ferry.conflicts", "pg", "now()");
    }
    lite = SqliteDatabase.create();
    try (Connection c = lite.connect(); Statement st = c.createStatement()) {
      Dialect.of(c).prepareSession(c, false, "lite");
      insertConflicts(st, "ferry_conflicts", "lite", "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')");
    }
    config = Files.writeString(dir.resolve("ferry.yaml"), "source:\n  name: primary\n  url: jdbc:postgresql://127.0.0.1:1/x\n"
        + "journal:\n  dir: " + dir.resolve("journal") + "\nreplicas:\n  - name: pg\n    url: " + pgUrl
        + "\n    mode: read-only\n  - name: lite\n    url: " + lite.jdbcUrl() + "\n");
  }

  @AfterEach
  void restore() throws Exception {
    System.setOut(oldOut);
    System.setErr(oldErr);
    lite.close();
  }

  /** Three conflicts: two on accounts (update_missing, the older an hour ago), one on history. */
  private static void insertConflicts(Statement st, String table, String replica, String now) throws SQLException {
    String columns = " (detected_at, replica, source, gtid, conflict_type, table_name, row_key, local_row, remote_row,"
        + " resolution) VALUES ";
    String old = now.equals("now()") ? "now() - interval '1 hour'" : "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour')";
    st.execute("INSERT INTO " + table + columns + "(" + old + ", '" + replica + "', 'j', '0-1-1', 'update_missing',"
        + " 'public.accounts', '(id=1)', NULL, '(id=1, balance=5)', 'inserted')");
    st.execute("INSERT INTO " + table + columns + "(" + now + ", '" + replica + "', 'j', '0-1-2', 'delete_missing',"
        + " 'public.history', '(id=7)', NULL, '(id=7)', 'ignored')");
    st.execute("INSERT INTO " + table + columns + "(" + now + ", '" + replica + "', 'j', '0-1-3', 'update_missing',"
        + " 'public.accounts', '(id=2)', '(id=2, balance=1)', '(id=2, balance=9)', 'overwritten')");
  }

  private int ferry(String... args) {
    out.reset();
    err.reset();
    return FerryMain.run(args);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void listsEveryReplicasConflictsAndFiltersThem() {
    assertThat(ferry("conflicts", "-c", config.toString())).as(stderr()).isZero();
    assertThat(stdout()).contains("REPLICA", "DETECTED", "RESOLVED").contains("pg ", "lite ");
    assertThat(stdout().lines().count()).as(stdout()).isEqualTo(7);

    assertThat(ferry("conflicts", "-c", config.toString(), "--replica", "pg", "--table", "public.accounts",
        "--json")).isZero();
    assertThat(stdout()).contains("\"gtid\":\"0-1-3\"", "\"gtid\":\"0-1-1\"").doesNotContain("0-1-2");
    assertThat(stdout().indexOf("0-1-3")).as("newest first").isLessThan(stdout().indexOf("0-1-1"));

    assertThat(ferry("conflicts", "-c", config.toString(), "--replica", "lite", "--type", "delete_missing")).isZero();
    assertThat(stdout()).contains("0-1-2").doesNotContain("0-1-1").doesNotContain("0-1-3");
    assertThat(ferry("conflicts", "-c", config.toString(), "--replica", "pg", "--since", "30m")).isZero();
    assertThat(stdout()).contains("0-1-2", "0-1-3").doesNotContain("0-1-1");
    assertThat(ferry("conflicts", "-c", config.toString(), "--replica", "pg", "--limit", "1")).isZero();
    assertThat(stdout().lines().count()).isEqualTo(2);

    assertThat(ferry("conflicts", "-c", config.toString(), "--type", "bogus")).isEqualTo(2);
    assertThat(stderr()).contains("unknown conflict type 'bogus'; the types are [insert_exists", "skipped]");
    assertThat(ferry("conflicts", "-c", config.toString(), "--since", "yesterday")).isEqualTo(2);
    assertThat(stderr()).contains("since 'yesterday' is neither a time");
    assertThat(ferry("conflicts", "-c", config.toString(), "--replica", "r9")).isEqualTo(2);
    assertThat(stderr()).contains("--replica r9: no such replica", "[pg, lite]");
    assertThat(ferry("conflicts", "-c", config.toString(), "--resolved", "--unresolved")).isEqualTo(2);
  }

  @Test
  void showsOneAndResolvesItOnceOnAReadOnlyReplicaWhileOthersStayRefused() throws Exception {
    long id = idOf(pgUrl, "_ferry.conflicts", "0-1-3");
    assertThat(ferry("conflicts", "show", String.valueOf(id), "-c", config.toString(), "--replica", "pg")).isZero();
    assertThat(stdout()).contains("conflict " + id + " of replica pg", "local row   (id=2, balance=1)",
        "remote row  (id=2, balance=9)", "done        overwritten", "resolved    no");
    assertThat(ferry("conflicts", "show", String.valueOf(id), "-c", config.toString())).as("two replicas")
        .isEqualTo(2);
    assertThat(stderr()).contains("give --replica NAME; this node applies [pg, lite]");

    assertThat(ferry("conflicts", "resolve", String.valueOf(id), "-c", config.toString(), "--replica", "pg",
        "--note", "balance fixed by hand")).as(stderr()).isZero();
    assertThat(stdout()).contains("conflict " + id + " of replica pg resolved at");
    assertThat(ferry("conflicts", "resolve", String.valueOf(id), "-c", config.toString(), "--replica", "pg"))
        .isEqualTo(1);
    assertThat(stderr()).contains("conflict " + id + " of replica pg was resolved at");
    assertThat(ferry("conflicts", "resolve", "987654", "-c", config.toString(), "--replica", "pg")).isEqualTo(1);
    assertThat(stderr()).contains("replica pg recorded no conflict 987654");
    assertThat(ferry("conflicts", "resolve", "x1", "-c", config.toString(), "--replica", "pg")).isEqualTo(2);
    assertThat(stderr()).contains("conflict id 'x1' is not a number");

    assertThat(ferry("conflicts", "-c", config.toString(), "--replica", "pg", "--resolved", "--json")).isZero();
    assertThat(stdout()).contains("\"gtid\":\"0-1-3\"", "\"resolutionNote\":\"balance fixed by hand\"",
        "\"resolvedBy\":\"" + System.getProperty("user.name") + "\"");
    assertThat(ferry("conflicts", "-c", config.toString(), "--replica", "pg", "--unresolved")).isZero();
    assertThat(stdout()).contains("0-1-1", "0-1-2").doesNotContain("0-1-3");

    String asApp = pgUrl.replace("user=postgres", "user=app");
    for (String write : new String[] {"UPDATE accounts SET balance = 1",
        "SET default_transaction_read_only = off; UPDATE accounts SET balance = 1"}) {
      assertThatThrownBy(() -> {
        try (Connection c = DriverManager.getConnection(asApp); Statement st = c.createStatement()) {
          st.execute(write);
        }
      }).as(write).isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"));
    }
    try (Connection c = DriverManager.getConnection(pgUrl); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW default_transaction_read_only")) {
      rs.next();
      assertThat(rs.getString(1)).as("the database default stays on for everyone else").isEqualTo("on");
    }
  }

  @Test
  void resolvesOnSqliteToo() throws Exception {
    long id;
    try (Connection c = lite.connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id FROM ferry_conflicts WHERE gtid = '0-1-2'")) {
      rs.next();
      id = rs.getLong(1);
    }
    assertThat(ferry("conflicts", "resolve", String.valueOf(id), "-c", config.toString(), "--replica", "lite"))
        .as(stderr()).isZero();
    assertThat(ferry("conflicts", "show", String.valueOf(id), "-c", config.toString(), "--replica", "lite")).isZero();
    assertThat(stdout()).contains("resolved    20").contains(" by " + System.getProperty("user.name"));
  }

  private static long idOf(String url, String table, String gtid) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id FROM " + table + " WHERE gtid = '" + gtid + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
