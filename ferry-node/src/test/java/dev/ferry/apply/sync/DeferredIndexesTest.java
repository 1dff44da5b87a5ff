package dev.ferry.apply.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.jdbc.SeedTarget;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.snapshot.SourceTable;
import dev.ferry.testkit.PostgresClusterExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Initial copy into PostgreSQL targets building their indexes after the rows (real clusters). */
@Timeout(120)
class DeferredIndexesTest {
  private static final ApplyConfig REPLICA = ApplyConfig.defaults("r1", "test");
  private static final List<TableId> TABLES = List.of(new TableId("public", "parent"),
      new TableId("public", "child"), new TableId("app", "items"));
  private static final String SCHEMA = """
      CREATE SCHEMA app;
      CREATE TABLE parent (id int PRIMARY KEY, code text NOT NULL, CONSTRAINT parent_code_key UNIQUE (code));
      CREATE TABLE child (id bigint PRIMARY KEY, parent_id int REFERENCES parent, note text);
      CREATE INDEX child_parent_idx ON child (parent_id) WHERE note IS NOT NULL;
      CREATE TABLE app.items (id bigint NOT NULL, k int NOT NULL, label text, b box,
        CONSTRAINT items_pk PRIMARY KEY (id, k),
        CONSTRAINT items_label_key UNIQUE (label) DEFERRABLE INITIALLY DEFERRED,
        CONSTRAINT items_no_overlap EXCLUDE USING gist (b WITH &&));
      CREATE INDEX items_lower_label ON app.items (lower(label)) WITH (fillfactor = 70);
      CREATE INDEX items_k_desc ON app.items (k DESC NULLS LAST, id) INCLUDE (label);
      """;
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  @Test
  void buildsEveryIndexAgainWithItsExactDefinitionAndKeepsThoseItCannotReproduce() throws Exception {
    String source = source("src_same");
    String target = postgres.cluster().createDatabase("dst_same");
    exec(target, SCHEMA, "COMMENT ON INDEX app.items_k_desc IS 'kept: a re-creation would lose the comment'",
        "ALTER TABLE child CLUSTER ON child_pkey",
        // Rows the seed replaces: the tables need not be empty before it.
        "INSERT INTO parent VALUES (-1, 'old')", "INSERT INTO child VALUES (-1, -1, 'old')");
    Map<String, String> before = indexes(target);
    Map<String, Long> oids = indexOids(target);

    CopyResult result = copy(source, target);

    assertThat(result.rows()).isEqualTo(2_000 + 20_000 + 5_000);
    assertThat(indexes(target)).isEqualTo(before);
    Map<String, Long> after = indexOids(target);
    // Kept (same index): the key a foreign key uses, the clustering index, the commented one.
    assertThat(List.of("parent_pkey", "child_pkey", "items_k_desc"))
        .allSatisfy(name -> assertThat(after.get(name)).as(name).isEqualTo(oids.get(name)));
    // Built again after the copy (new index).
    assertThat(List.of("parent_code_key", "child_parent_idx", "items_pk", "items_label_key", "items_no_overlap",
        "items_lower_label")).allSatisfy(name -> assertThat(after.get(name)).as(name).isNotEqualTo(oids.get(name)));
    assertThat(count(target, "SELECT count(*) FROM _ferry.sync_indexes")).isZero();
    assertThat(count(target, "SELECT count(*) FROM child WHERE id < 0")).isZero();
    assertThat(count(target, "SELECT count(*) FROM app.items")).isEqualTo(5_000);
  }

  @Test
  void buildsTheIndexesAKilledSeedDroppedFromTheirRecordedDefinitions() throws Exception {
    String source = source("src_killed");
    String target = postgres.cluster().createDatabase("dst_killed");
    exec(target, SCHEMA);
    Map<String, String> before = indexes(target);
    // What a seed killed after its first transaction leaves: indexes dropped, definitions recorded.
    try (Connection c = DriverManager.getConnection(target)) {
      SeedTarget t = SeedTarget.on(c, REPLICA);
      List<SourceTable> described = Snapshots.describe(source, TABLES);
      TargetTables.truncate(t, described);
      DeferredIndexes.defer(t, described, "");
      c.commit();
    }
    exec(target, "INSERT INTO app.items VALUES (1, 1, 'half', NULL), (1, 1, 'copied', NULL)");
    assertThat(indexes(target)).doesNotContainKeys("items_pk", "items_lower_label", "parent_code_key");
    assertThat(count(target, "SELECT count(*) FROM _ferry.sync_indexes WHERE table_name = '\"app\".\"items\"'"))
        .isEqualTo(5);

    copy(source, target);

    assertThat(indexes(target)).isEqualTo(before);
    assertThat(count(target, "SELECT count(*) FROM _ferry.sync_indexes")).isZero();
  }

  @Test
  void buildsAtOnceTheRecordedIndexesOfATableTheNextSeedDoesNotCopy() throws Exception {
    String source = source("src_narrowed");
    String target = postgres.cluster().createDatabase("dst_narrowed");
    exec(target, SCHEMA, "INSERT INTO parent VALUES (7, 'kept row')");
    Map<String, String> before = indexes(target);
    try (Connection c = DriverManager.getConnection(target)) {
      DeferredIndexes.defer(SeedTarget.on(c, REPLICA), Snapshots.describe(source, TABLES), "");
      c.commit();
    }
    assertThat(indexes(target)).doesNotContainKey("parent_code_key");

    // The next seed copies child and app.items only (its filter changed): parent gets its index back as it is.
    Snapshots.copy(source, TABLES.subList(1, 3), REPLICA, () -> DriverManager.getConnection(target),
        new CopyOptions(2, 1_000, Optional.empty()));

    assertThat(indexes(target)).isEqualTo(before);
    assertThat(count(target, "SELECT count(*) FROM _ferry.sync_indexes")).isZero();
    assertThat(count(target, "SELECT count(*) FROM parent")).isOne();
  }

  @Test
  void failsNamingTheTableAndIndexThatCannotBeBuiltAndKeepsItsDefinition() throws Exception {
    String source = source("src_dup");
    String target = postgres.cluster().createDatabase("dst_dup");
    // The target demands what the source's rows do not satisfy: two labels differ only in case.
    exec(source, "UPDATE app.items SET label = CASE id WHEN 1 THEN 'Same' ELSE 'same' END WHERE id <= 2");
    exec(target, SCHEMA, "CREATE UNIQUE INDEX items_lower_label_key ON app.items (lower(label))");

    assertThatThrownBy(() -> copy(source, target)).isInstanceOf(SyncException.class)
        .hasMessageContaining("items_lower_label_key").hasMessageContaining("\"app\".\"items\"")
        .hasMessageContaining("_ferry.sync_indexes");
    assertThat(count(target, "SELECT count(*) FROM _ferry.sync_indexes WHERE name = 'items_lower_label_key'")).isOne();
  }

  @Test
  void keepsTheIndexesOfTablesTheReplicasUserDoesNotOwn() throws Exception {
    String source = source("src_owner");
    String target = postgres.cluster().createDatabase("dst_owner");
    exec(target, SCHEMA, "CREATE ROLE seeder LOGIN", "GRANT CREATE ON DATABASE dst_owner TO seeder",
        "GRANT ALL ON SCHEMA public, app TO seeder",
        "GRANT ALL ON ALL TABLES IN SCHEMA public, app TO seeder", "CREATE SCHEMA _ferry AUTHORIZATION seeder",
        "ALTER TABLE parent OWNER TO seeder");
    Map<String, String> before = indexes(target);
    Map<String, Long> oids = indexOids(target);

    String asSeeder = target.replace("user=postgres", "user=seeder");
    // One stream, parent first: not being a superuser, the seeder cannot turn the foreign key's checks off.
    Snapshots.copy(source, TABLES, REPLICA, () -> DriverManager.getConnection(asSeeder),
        new CopyOptions(1, 1_000, Optional.empty()));

    assertThat(indexes(target)).isEqualTo(before);
    Map<String, Long> after = indexOids(target);
    assertThat(after.get("parent_code_key")).as("owned: built again").isNotEqualTo(oids.get("parent_code_key"));
    assertThat(List.of("child_pkey", "child_parent_idx", "items_pk", "items_lower_label"))
        .allSatisfy(name -> assertThat(after.get(name)).as("not owned: kept").isEqualTo(oids.get(name)));
    assertThat(count(target, "SELECT count(*) FROM app.items")).isEqualTo(5_000);
  }

  private static CopyResult copy(String source, String target) throws Exception {
    return Snapshots.copy(source, TABLES, REPLICA, () -> DriverManager.getConnection(target),
        new CopyOptions(3, 1_000, Optional.empty()));
  }

  private static String source(String name) throws SQLException {
    String url = postgres.cluster().createDatabase(name);
    exec(url, SCHEMA,
        "INSERT INTO parent SELECT g, 'code ' || g FROM generate_series(1, 2000) g",
        "INSERT INTO child SELECT g, g % 2000 + 1, CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END"
            + " FROM generate_series(1, 20000) g",
        "INSERT INTO app.items SELECT g, g % 7, 'item ' || g, box(point(g * 3, 0), point(g * 3 + 1, 1))"
            + " FROM generate_series(1, 5000) g",
        "ANALYZE");
    return url;
  }

  /** Index name to its definition and, for a constraint's index, the constraint's. */
  private static Map<String, String> indexes(String url) throws SQLException {
    Map<String, String> defs = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("""
            SELECT ic.relname, pg_get_indexdef(i.indexrelid) || coalesce(' / ' || con.conname || ' '
                   || pg_get_constraintdef(con.oid) || ' ' || con.condeferrable || con.condeferred, '')
              FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
              JOIN pg_namespace n ON n.oid = ic.relnamespace
              LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                                         AND con.contype IN ('p', 'u', 'x')
             WHERE n.nspname IN ('public', 'app')""")) {
      while (rs.next()) {
        defs.put(rs.getString(1), rs.getString(2));
      }
    }
    return defs;
  }

  private static Map<String, Long> indexOids(String url) throws SQLException {
    Map<String, Long> oids = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT relname, oid::bigint FROM pg_class WHERE relkind = 'i'"
            + " AND relnamespace IN ('public'::regnamespace, 'app'::regnamespace)")) {
      while (rs.next()) {
        oids.put(rs.getString(1), rs.getLong(2));
      }
    }
    return oids;
  }

  private static long count(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void exec(String url, String... sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }
}
