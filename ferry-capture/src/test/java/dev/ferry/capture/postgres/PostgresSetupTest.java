package dev.ferry.capture.postgres;

import static dev.ferry.capture.postgres.PgTest.column;
import static dev.ferry.capture.postgres.PgTest.exec;
import static dev.ferry.capture.postgres.PgTest.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.capture.CaptureException;
import dev.ferry.journal.model.TableId;
import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.PostgresClusterExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(120)
class PostgresSetupTest {
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  @Test
  void createsPublicationForIncludedTablesMinusExcludedOnes() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "pub").withTables(
        List.of("public\\..*", "app\\.orders"), List.of("public\\.tmp_.*"));
    exec(config, "CREATE SCHEMA app", "CREATE TABLE public.accounts (id int PRIMARY KEY)",
        "CREATE TABLE public.tmp_scratch (id int PRIMARY KEY)", "CREATE TABLE app.orders (id int PRIMARY KEY)",
        "CREATE TABLE app.other (id int PRIMARY KEY)");

    PostgresSetup.Result result = PostgresSetup.setup(config);

    assertThat(result.tables()).containsExactly(new TableId("app", "orders"), new TableId("public", "accounts"));
    assertThat(result.slotCreated()).isTrue();
    assertThat(column(config, "SELECT schemaname || '.' || tablename FROM pg_publication_tables "
        + "WHERE pubname = 'ferry_pub' ORDER BY 1")).containsExactly("app.orders", "public.accounts");
    assertThat(scalar(config, "SELECT plugin FROM pg_replication_slots WHERE slot_name = 'ferry_pub'"))
        .isEqualTo("pgoutput");
    assertThat(column(config, "SELECT evtname FROM pg_event_trigger ORDER BY 1"))
        .containsExactly("ferry_ddl_command_end", "ferry_sql_drop");
  }

  @Test
  void setupIsIdempotentAndPicksUpNewTables() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "again");
    exec(config, "CREATE TABLE a (id int PRIMARY KEY)");
    PostgresSetup.setup(config);
    String slotLsn = scalar(config, "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'ferry_again'");
    exec(config, "CREATE TABLE b (id int PRIMARY KEY)");

    PostgresSetup.Result again = PostgresSetup.setup(config);

    assertThat(again.slotCreated()).isFalse();
    assertThat(again.tables()).containsExactly(new TableId("public", "a"), new TableId("public", "b"));
    assertThat(scalar(config, "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'ferry_again'"))
        .isEqualTo(slotLsn);
    assertThat(column(config, "SELECT tablename FROM pg_publication_tables WHERE pubname = 'ferry_again' ORDER BY 1"))
        .containsExactly("a", "b");
  }

  @Test
  void teardownRemovesSlotPublicationAndSchemaAndCanRunTwice() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "gone");
    exec(config, "CREATE TABLE a (id int PRIMARY KEY)");
    PostgresSetup.setup(config);

    PostgresSetup.teardown(config);
    PostgresSetup.teardown(config);

    assertThat(scalar(config, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'ferry_gone'")).isEqualTo("0");
    assertThat(scalar(config, "SELECT count(*) FROM pg_publication WHERE pubname = 'ferry_gone'")).isEqualTo("0");
    assertThat(scalar(config, "SELECT count(*) FROM pg_namespace WHERE nspname = '_ferry'")).isEqualTo("0");
    assertThat(scalar(config, "SELECT count(*) FROM pg_event_trigger")).isEqualTo("0");
  }

  @Test
  void refusesTablesWithoutUsableReplicaIdentityAndNamesThem() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "ident");
    exec(config, "CREATE TABLE good (id int PRIMARY KEY)", "CREATE TABLE no_key (v text)",
        "CREATE TABLE nothing (id int PRIMARY KEY)", "ALTER TABLE nothing REPLICA IDENTITY NOTHING",
        "CREATE TABLE full_ok (v text)", "ALTER TABLE full_ok REPLICA IDENTITY FULL");

    assertThatThrownBy(() -> PostgresSetup.setup(config))
        .isInstanceOf(CaptureException.class)
        .hasMessageContaining("[source ident]")
        .hasMessageContaining("\"public\".\"no_key\" (no primary key, REPLICA IDENTITY DEFAULT)")
        .hasMessageContaining("\"public\".\"nothing\" (REPLICA IDENTITY NOTHING)")
        .hasMessageNotContaining("full_ok")
        .hasMessageContaining("REPLICA IDENTITY FULL");
    assertNothingCreated(config);
  }

  @Test
  void refusesRoleWithoutReplicationPrivilege() throws Exception {
    PostgresSourceConfig admin = PgTest.freshSource(postgres.cluster(), "norepl");
    exec(admin, "CREATE ROLE plain LOGIN", "CREATE TABLE t (id int PRIMARY KEY)");
    PostgresSourceConfig config = admin.withJdbcUrl(admin.jdbcUrl().replace("user=postgres", "user=plain"));

    assertThatThrownBy(() -> PostgresSetup.setup(config))
        .isInstanceOf(CaptureException.class)
        .hasMessageContaining("role 'plain' lacks the REPLICATION privilege")
        .hasMessageContaining("ALTER ROLE \"plain\" REPLICATION");
    assertNothingCreated(admin);
  }

  @Test
  void refusesWhenNoTableMatches() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "none").withTables(List.of("nope\\..*"), List.of());
    exec(config, "CREATE TABLE t (id int PRIMARY KEY)");

    assertThatThrownBy(() -> PostgresSetup.setup(config)).hasMessageContaining("no table matches include [nope\\..*]");
  }

  @Test
  void refusesWalLevelOtherThanLogical() throws Exception {
    try (PostgresCluster replica = PostgresCluster.start(Map.of("wal_level", "replica"))) {
      PostgresSourceConfig config = PgTest.freshSource(replica, "wal");
      exec(config, "CREATE TABLE t (id int PRIMARY KEY)");

      assertThatThrownBy(() -> PostgresSetup.setup(config))
          .isInstanceOf(CaptureException.class)
          .hasMessageContaining("wal_level is 'replica'")
          .hasMessageContaining("ALTER SYSTEM SET wal_level = logical");
      assertNothingCreated(config);
    }
  }

  @Test
  void refusesWhenNoReplicationSlotIsFree() throws Exception {
    try (PostgresCluster small = PostgresCluster.start(Map.of("max_replication_slots", "1"))) {
      PostgresSourceConfig config = PgTest.freshSource(small, "slots");
      exec(config, "CREATE TABLE t (id int PRIMARY KEY)",
          "SELECT pg_create_logical_replication_slot('someone_else', 'pgoutput')");

      assertThatThrownBy(() -> PostgresSetup.setup(config))
          .isInstanceOf(CaptureException.class)
          .hasMessageContaining("max_replication_slots is 1 and all are in use (someone_else)")
          .hasMessageContaining("pg_drop_replication_slot");
      assertNothingCreated(config);
    }
  }

  private static void assertNothingCreated(PostgresSourceConfig config) throws Exception {
    assertThat(scalar(config, "SELECT count(*) FROM pg_namespace WHERE nspname = '_ferry'")).isEqualTo("0");
    assertThat(scalar(config, "SELECT count(*) FROM pg_publication")).isEqualTo("0");
    assertThat(scalar(config, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + config.slotName() + "'")).isEqualTo("0");
  }

  @Test
  void captureAsAReplicationRoleOnlyVerifiesWhatSetupMadeAndReportsUnpublishedTables() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "leastpriv");
    exec(config, "DO $$ BEGIN CREATE ROLE ferry LOGIN REPLICATION; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        "GRANT CREATE ON SCHEMA public TO ferry", "CREATE TABLE a (id int PRIMARY KEY)");
    PostgresSourceConfig asFerry = PostgresSourceConfig.of("leastpriv", config.jdbcUrl().replace("user=postgres",
        "user=ferry"));
    assertThatThrownBy(() -> PostgresSetup.prepareForCapture(asFerry)).isInstanceOf(CaptureException.class)
        .hasMessageContaining("role 'ferry' is not a superuser").hasMessageContaining("run setup once as a superuser");
    PostgresSetup.setup(config);
    exec(config, "CREATE TABLE b (id int PRIMARY KEY)");

    PostgresSetup.prepareForCapture(asFerry);

    assertThat(column(config, "SELECT tablename FROM pg_publication_tables WHERE pubname = 'ferry_leastpriv'"))
        .as("nothing changed by a role that is no superuser").containsExactly("a");
    exec(asFerry, "CREATE TABLE mine (id int PRIMARY KEY)");
    assertThat(scalar(config, "SELECT relnamespace::regnamespace::text FROM pg_class WHERE relname = 'mine'"))
        .as("the role ferry's DDL fires Ferry's trigger and lands in public").isEqualTo("public");
  }

  @Test
  void raisingTheSchemaSequenceNumbersTheNextDdlAboveTheJournalsAndNeverMovesItBack() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "promoted");
    exec(config, "CREATE TABLE a (id int PRIMARY KEY)");
    PostgresSetup.setup(config);
    assertThat(PostgresSetup.raiseSchemaSequence(config, 0)).as("no DDL numbered yet: nothing moves").isEqualTo(1);

    assertThat(PostgresSetup.raiseSchemaSequence(config, 7)).isEqualTo(8);
    exec(config, "ALTER TABLE a ADD COLUMN v text");
    assertThat(scalar(config, "SELECT last_value FROM _ferry.schema_sequence")).as("the DDL's schema sequence")
        .isEqualTo("8");

    assertThat(PostgresSetup.raiseSchemaSequence(config, 3)).as("never back").isEqualTo(9);
    assertThat(PostgresSetup.raiseSchemaSequence(config, 8)).isEqualTo(9);
  }

  @Test
  void setupMovesAnEarlierFerrySchemaKeepingTheSchemaSequence() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "moved");
    exec(config, "CREATE TABLE a (id int PRIMARY KEY)", "CREATE SCHEMA ferry",
        "CREATE SEQUENCE ferry.schema_sequence", "SELECT setval('ferry.schema_sequence', 41)");

    PostgresSetup.setup(config);

    assertThat(scalar(config, "SELECT last_value FROM _ferry.schema_sequence")).isEqualTo("41");
    assertThat(scalar(config, "SELECT count(*) FROM pg_namespace WHERE nspname = 'ferry'")).isEqualTo("0");
  }
}
