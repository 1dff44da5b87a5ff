package dev.ferry.capture.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.capture.CaptureException;
import dev.ferry.capture.MemorySink;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.TableFilter;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Value;
import dev.ferry.testkit.SqliteDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SqliteSetup#addTable} ({@code ferry table add} of a SQLite source) beside a running
 * capture whose own filter leaves the table out: the capture takes the table up at its next poll
 * and keeps it through later schema changes; refusals name the table and change nothing.
 */
@Timeout(60)
class SqliteTableAddCaptureTest {
  private static final TableId PARCELS = new TableId("main", "parcels");

  private SqliteDatabase db;
  private Connection app;
  private final MemorySink sink = new MemorySink();

  @BeforeEach
  void createDatabase() throws Exception {
    db = SqliteDatabase.create();
    app = db.connect();
  }

  @AfterEach
  void dropDatabase() throws Exception {
    app.close();
    db.close();
  }

  private SqliteSourceConfig onlyAccounts() {
    return SqliteSourceConfig.of("lite", db.jdbcUrl()).withTables(TableFilter.of(List.of("main\\.accounts"),
        List.of()));
  }

  private void sql(String... statements) throws Exception {
    try (Statement st = app.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  private List<Change> parcelChanges() {
    return sink.transactions().stream().flatMap(t -> t.changes().stream())
        .filter(c -> c instanceof Change.Ddl || (c instanceof Change.Insert i && i.table().equals(PARCELS))).toList();
  }

  @Test
  void aTableAddedBesideACaptureWhoseFilterLeavesItOutIsCapturedAndKeptThroughLaterSchemaChanges() throws Exception {
    sql("CREATE TABLE accounts (id INTEGER PRIMARY KEY, v TEXT)");
    try (SqliteCapture capture = SqliteCapture.open(onlyAccounts(), sink)) {
      sql("CREATE TABLE parcels (id INTEGER PRIMARY KEY, label TEXT)", "INSERT INTO parcels VALUES (1, 'before')");
      capture.poll();
      assertThat(parcelChanges()).as("left out by the filter").isEmpty();

      SqliteSourceConfig all = SqliteSourceConfig.of("lite", db.jdbcUrl());
      assertThat(SqliteSetup.checkAddable(all, PARCELS)).as("not captured yet").isFalse();
      assertThat(SqliteSetup.addTable(all, PARCELS)).as("installed now").isTrue();
      sql("INSERT INTO parcels VALUES (2, 'after')", "INSERT INTO accounts VALUES (1, 'a')");
      capture.poll();
      sql("CREATE TABLE other (id INTEGER PRIMARY KEY)");
      capture.poll();
      sql("INSERT INTO parcels VALUES (3, 'after another schema change')");
      capture.poll();

      assertThat(parcelChanges()).as("no DDL, no rows from before the triggers")
          .extracting(c -> ((Change.Insert) c).row().getFirst())
          .containsExactly(new Value.Int64(2), new Value.Int64(3));
      assertThat(SqliteSetup.checkAddable(all, PARCELS)).as("captured already").isTrue();
      assertThat(SqliteSetup.addTable(all, PARCELS)).as("nothing to install").isFalse();
    }
  }

  @Test
  void refusesAMissingAVirtualOrANonMainTableNamingItAndChangesNothing() throws Exception {
    sql("CREATE TABLE accounts (id INTEGER PRIMARY KEY, v TEXT)", "CREATE VIRTUAL TABLE docs USING fts5(body)");
    SqliteSourceConfig all = SqliteSourceConfig.of("lite", db.jdbcUrl());
    assertThatThrownBy(() -> SqliteSetup.addTable(all, PARCELS)).isInstanceOf(CaptureException.class)
        .hasMessageContaining("run ferry setup first");
    try (SqliteCapture capture = SqliteCapture.open(onlyAccounts(), sink)) {
      long version = schemaVersion();
      assertThatThrownBy(() -> SqliteSetup.addTable(all, PARCELS)).isInstanceOf(CaptureException.class)
          .hasMessageContaining("[source lite]").hasMessageContaining("main.parcels does not exist");
      assertThatThrownBy(() -> SqliteSetup.checkAddable(all, new TableId("main", "docs")))
          .isInstanceOf(CaptureException.class).hasMessageContaining("main.docs").hasMessageContaining("virtual table");
      assertThatThrownBy(() -> SqliteSetup.addTable(all, new TableId("public", "accounts")))
          .isInstanceOf(CaptureException.class).hasMessageContaining("schema main");
      assertThat(schemaVersion()).as("nothing installed").isEqualTo(version);
    }
  }

  private long schemaVersion() throws Exception {
    try (Statement st = app.createStatement(); ResultSet rs = st.executeQuery("PRAGMA schema_version")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
