package dev.ferry.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ConflictPolicy;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.capture.trigger.SqliteSourceConfig;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.model.TableFilter;
import dev.ferry.node.run.SourceSpec;
import dev.ferry.transport.archive.ArchiveTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FerryConfigTest {
  private static final Path FILE = Path.of("/etc/ferry/ferry.yaml");
  private static final Map<String, String> ENV = Map.of("PGPASSWORD", "s3cr3t-pw", "REPLICA_PW", "r3plica-pw");

  private static final String FULL = """
      source:
        name: primary
        url: jdbc:postgresql://127.0.0.1:5432/app?user=ferry
        password: ${PGPASSWORD}
        tables:
          include: ['public\\..*', 'audit\\.log']
          exclude: ['public\\.tmp_.*']
        slot: my_slot
        publication: my_pub
        gtid:
          domain: 3
          server-id: 7
        chunk-changes: 1000
      journal:
        dir: /var/lib/ferry/journal
        segment-size: 16MiB
        segment-age: 5m
        archive:
          dir: /var/lib/ferry/archive
        retain: 1GiB
      replicas:
        - name: r1
          url: jdbc:postgresql://127.0.0.1:5433/app?user=ferry
          password: ${REPLICA_PW}
          mode: read-write
          conflicts: overwrite
          tables:
            include: ['public\\.accounts']
            exclude: []
          skip-ddl: true
          grouping:
            max-transactions: 50
            max-bytes: 1MiB
            max-delay: 1s
        - name: r2
          url: jdbc:sqlite:/var/lib/ferry/r2.db
      log:
        dir: /var/log/ferry
        level: debug
      status:
        file: /run/ferry/status.json
      """;

  private static final String MINIMAL = """
      source:
        name: primary
        url: jdbc:postgresql://127.0.0.1:5432/app?user=ferry
      journal:
        dir: /var/lib/ferry/journal
      """;

  private static FerryConfig parse(String yaml) throws ConfigException {
    return FerryConfig.parse(yaml, FILE, ENV);
  }

  private static ConfigException refused(ThrowingCallable call) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(t).isInstanceOf(ConfigException.class);
    ConfigException e = (ConfigException) t;
    assertThat(e.getMessage()).doesNotContain("\n");
    return e;
  }

  private static ConfigException refused(String yaml) {
    return refused(() -> parse(yaml));
  }

  @Test
  void parallelApplySettingsAreReadAndCheckedNamingTheKey() throws ConfigException {
    String replica = MINIMAL + "replicas:\n  - name: r1\n    url: jdbc:postgresql://127.0.0.1:5433/r1\n";
    assertThat(parse(replica).replicas().get(0).apply().parallel())
        .isEqualTo(dev.ferry.apply.ApplyConfig.Parallel.CHOSEN);
    assertThat(parse(replica + "    apply: { workers: auto }\n").replicas().get(0).apply().parallel())
        .isEqualTo(dev.ferry.apply.ApplyConfig.Parallel.CHOSEN);
    assertThat(parse(replica + "    apply: { workers: 1 }\n").replicas().get(0).apply().parallel())
        .isEqualTo(dev.ferry.apply.ApplyConfig.Parallel.SERIAL);
    assertThat(parse(replica + "    apply: { workers: 8, commit-order: relaxed }\n").replicas().get(0).apply()
        .parallel()).isEqualTo(new dev.ferry.apply.ApplyConfig.Parallel(8,
            dev.ferry.apply.ApplyConfig.CommitOrder.RELAXED));
    assertThat(refused(replica + "    apply: { workers: 0 }\n").getMessage())
        .contains("replicas[0].apply.workers").contains("0 is out of range 1..64");
    assertThat(refused(replica + "    apply: { workers: many }\n").getMessage())
        .contains("replicas[0].apply.workers").contains("'many' is neither auto nor a whole number");
    assertThat(refused(replica + "    apply: { commit-order: sometimes }\n").getMessage())
        .contains("replicas[0].apply.commit-order").contains("sometimes");
    assertThat(refused(replica + "    apply: { threads: 4 }\n").getMessage()).contains("threads");
  }

  @Test
  void readsEveryKeyOfAFullFile() throws ConfigException {
    FerryConfig c = parse(FULL);

    SourceSettings s = c.source();
    assertThat(s.name()).isEqualTo("primary");
    assertThat(s.url().value()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/app?user=ferry");
    assertThat(s.url().kind()).isEqualTo(JdbcUrl.Kind.POSTGRESQL);
    assertThat(s.password()).contains(new Secret("s3cr3t-pw"));
    assertThat(s.tables().includeRegexes()).containsExactly("public\\..*", "audit\\.log");
    assertThat(s.tables().excludeRegexes()).containsExactly("public\\.tmp_.*");
    assertThat(s.tables().accepts("public.accounts")).isTrue();
    assertThat(s.tables().accepts("public.tmp_x")).isFalse();
    PostgresSourceConfig pg = postgres(s);
    assertThat(pg.slotName()).isEqualTo("my_slot");
    assertThat(pg.publicationName()).isEqualTo("my_pub");
    assertThat(s.gtid()).isEqualTo(new SourceSettings.GtidSettings(3, 7));
    assertThat(pg.gtidDomain()).isEqualTo(3);
    assertThat(pg.serverId()).isEqualTo(7);
    assertThat(pg.chunkChanges()).isEqualTo(1000);
    assertThat(pg.include()).extracting(Pattern::pattern).containsExactly("public\\..*", "audit\\.log");
    assertThat(pg.exclude()).extracting(Pattern::pattern).containsExactly("public\\.tmp_.*");

    JournalConfig j = c.journal();
    assertThat(j.directory()).isEqualTo(Path.of("/var/lib/ferry/journal"));
    assertThat(j.segmentBytes()).isEqualTo(DataSize.ofMebibytes(16).bytes());
    assertThat(j.segmentAge()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.archive().target()).isEqualTo(new ArchiveTarget.Directory(Path.of("/var/lib/ferry/archive")));
    assertThat(j.keepUntilShipped()).as("an archived journal keeps sealed segments until archived").isTrue();
    assertThat(j.retainedBytesCap()).isEqualTo(DataSize.parse("1GiB").bytes());

    assertThat(c.replicas()).hasSize(2);
    ReplicaSettings r1 = c.replicas().get(0);
    assertThat(r1.name()).isEqualTo("r1");
    assertThat(r1.password()).contains(new Secret("r3plica-pw"));
    assertThat(r1.mode()).isEqualTo(ReplicaSettings.Mode.READ_WRITE);
    ApplyConfig a1 = r1.apply();
    assertThat(a1.replicaName()).isEqualTo("r1");
    assertThat(a1.source()).isEqualTo("primary");
    assertThat(a1.conflictPolicy()).isEqualTo(ConflictPolicy.OVERWRITE);
    assertThat(a1.filter().include()).extracting(Pattern::pattern).containsExactly("public\\.accounts");
    assertThat(a1.skipDdl()).isTrue();
    assertThat(a1.grouping().maxTransactions()).isEqualTo(50);
    assertThat(a1.grouping().maxBytes()).isEqualTo(1L << 20);
    assertThat(a1.grouping().maxDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(a1.readOnlyReplica()).as("mode read-write").isFalse();
    assertThat(c.replicas().get(1).url().kind()).isEqualTo(JdbcUrl.Kind.SQLITE);

    assertThat(c.log().file()).isEqualTo(Path.of("/var/log/ferry/replication.log"));
    assertThat(c.log().level()).isEqualTo(LogSettings.Level.DEBUG);
    assertThat(c.status().file()).isEqualTo(Path.of("/run/ferry/status.json"));
  }

  @Test
  void minimalFileGetsEveryDefault() throws ConfigException {
    FerryConfig c = parse(MINIMAL);

    SourceSettings s = c.source();
    assertThat(s.password()).isEmpty();
    assertThat(s.tables().includeRegexes()).containsExactly("public\\..*");
    assertThat(s.tables().excludeRegexes()).isEmpty();
    PostgresSourceConfig pg = postgres(s);
    PostgresSourceConfig captureDefaults = PostgresSourceConfig.of("primary", s.url().value());
    assertThat(pg.slotName()).isEqualTo("ferry_primary");
    assertThat(pg.publicationName()).isEqualTo("ferry_primary");
    assertThat(s.gtid()).isEqualTo(new SourceSettings.GtidSettings(0, 1));
    assertThat(pg.chunkChanges()).isEqualTo(4096);
    assertThat(pg.chunkBytes()).isEqualTo(captureDefaults.chunkBytes());
    assertThat(pg.statusInterval()).isEqualTo(captureDefaults.statusInterval());
    assertThat(pg.reconnectMin()).isEqualTo(captureDefaults.reconnectMin());
    assertThat(pg.reconnectMax()).isEqualTo(captureDefaults.reconnectMax());
    JournalConfig j = c.journal();
    assertThat(j.segmentBytes()).isEqualTo(DataSize.ofMebibytes(64).bytes());
    assertThat(j.segmentAge()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.archive().target()).isEqualTo(ArchiveTarget.NONE);
    assertThat(j.keepUntilShipped()).isFalse();
    assertThat(j.retainedBytesCap()).isZero();
    assertThat(c.replicas()).isEmpty();
    assertThat(c.log().dir()).isEqualTo(j.directory());
    assertThat(c.log().level()).isEqualTo(LogSettings.Level.INFO);
    assertThat(c.status().file()).isEqualTo(j.directory().resolve("status.json"));
  }

  @Test
  void replicaWithOnlyNameAndUrlGetsEveryDefault() throws ConfigException {
    ReplicaSettings r = parse(MINIMAL + "replicas:\n  - name: r1\n    url: jdbc:sqlite:/tmp/r1.db\n").replicas().get(0);

    assertThat(r.mode()).isEqualTo(ReplicaSettings.Mode.READ_ONLY);
    assertThat(r.apply().conflictPolicy()).isEqualTo(ConflictPolicy.STOP);
    assertThat(r.apply().filter()).isEqualTo(TableFilter.ALL);
    assertThat(r.apply().skipDdl()).isFalse();
    assertThat(r.apply().grouping().maxTransactions()).isEqualTo(1000);
    assertThat(r.apply().grouping().maxBytes()).isEqualTo(8L << 20);
    assertThat(r.apply().grouping().maxDelay()).isEqualTo(Duration.ofMillis(200));
    assertThat(r.apply().readOnlyReplica()).as("read-only is the default, on SQLite too (guard triggers)").isTrue();
  }

  @Test
  void sqliteSourceDefaultsToMainSchemaAndHasNoSlot() throws ConfigException {
    SourceSettings s = parse("source:\n  name: Shop-DB\n  url: jdbc:sqlite:/tmp/app.db\njournal:\n  dir: /tmp/j\n").source();

    assertThat(s.tables().includeRegexes()).containsExactly("main\\..*");
    assertThat(s.capture()).isInstanceOf(SourceSpec.Sqlite.class);
    SqliteSourceConfig lite = ((SourceSpec.Sqlite) s.capture()).config();
    assertThat(lite.idlePoll()).isEqualTo(Duration.ofMillis(200));
    assertThat(lite.chunkChanges()).isEqualTo(4096);
    assertThat(lite.tables().include()).extracting(Pattern::pattern).containsExactly("main\\..*");
  }

  @Test
  void defaultSlotIsSanitizedLowerCaseSourceName() throws ConfigException {
    FerryConfig c = parse(MINIMAL.replace("name: primary", "name: Shop-DB.eu"));

    assertThat(postgres(c.source()).slotName()).isEqualTo("ferry_shop_db_eu");
  }

  @Test
  void relativePathsAreResolvedAgainstTheFilesDirectory() throws ConfigException {
    FerryConfig c = parse(MINIMAL.replace("/var/lib/ferry/journal", "journal"));

    assertThat(c.journal().directory()).isEqualTo(Path.of("/etc/ferry/journal"));
  }

  @Test
  void refusesUnknownKeyNamingLineAndKnownKeys() {
    ConfigException e = refused(MINIMAL.replace("  url:", "  tabels: []\n  url:"));

    assertThat(e.getMessage()).startsWith("/etc/ferry/ferry.yaml:3: source.tabels: unknown key (known: name, url,");
    assertThat(e.line()).isEqualTo(OptionalInt.of(3));
    assertThat(e.key()).contains("source.tabels");
    assertThat(e.file()).isEqualTo(FILE);
  }

  @Test
  void refusesUnknownTopLevelSection() {
    assertThat(refused(MINIMAL + "replica:\n  - name: r1\n").getMessage())
        .startsWith("/etc/ferry/ferry.yaml:6: replica: unknown key (known: source, journal, replicas, log, status, http)");
  }

  @Test
  void refusesWrongTypeOfSize() {
    assertThat(refused(MINIMAL + "  segment-size: lots\n").getMessage())
        .startsWith("/etc/ferry/ferry.yaml:6: journal.segment-size: 'lots' is not a size");
  }

  @Test
  void refusesSegmentSizeBelowMinimum() {
    assertThat(refused(MINIMAL + "  segment-size: 1KiB\n").getMessage())
        .isEqualTo("/etc/ferry/ferry.yaml:6: journal.segment-size: 1KiB is below the minimum 4KiB");
  }

  @Test
  void refusesMalformedDuration() {
    assertThat(refused(MINIMAL + "  segment-age: 10 minutes\n").getMessage())
        .startsWith("/etc/ferry/ferry.yaml:6: journal.segment-age: '10 minutes' is not a duration");
  }

  @Test
  void refusesNonNumberWhereANumberIsExpected() {
    assertThat(refused(MINIMAL.replace("journal:", "  chunk-changes: many\njournal:")).getMessage())
        .isEqualTo("/etc/ferry/ferry.yaml:4: source.chunk-changes: 'many' is not a whole number");
  }

  @Test
  void refusesMapWhereAValueIsExpected() {
    assertThat(refused(MINIMAL.replace("name: primary", "name: {a: b}")).getMessage())
        .isEqualTo("/etc/ferry/ferry.yaml:2: source.name: expected a single value, got a map");
  }

  @Test
  void refusesValueOutsideAnEnumListingTheChoices() {
    String yaml = MINIMAL + "replicas:\n  - name: r1\n    url: jdbc:sqlite:/tmp/r.db\n    conflicts: sometimes\n";

    ConfigException e = refused(yaml);

    assertThat(e.getMessage())
        .isEqualTo("/etc/ferry/ferry.yaml:9: replicas[0].conflicts: 'sometimes' is not one of stop, skip, overwrite");
  }

  @Test
  void refusesBadRegexNamingItsKeyAndLine() {
    String yaml = MINIMAL.replace("journal:", "  tables:\n    include:\n      - 'public\\.(oops'\njournal:");

    assertThat(refused(yaml).getMessage()).startsWith(
        "/etc/ferry/ferry.yaml:6: source.tables.include[0]: 'public\\.(oops' is not a regular expression: Unclosed group");
  }

  @Test
  void refusesUnsetEnvironmentVariableNamingIt() {
    ConfigException e = refused(MINIMAL.replace("journal:", "  password: ${NO_SUCH_VAR}\njournal:"));

    assertThat(e.getMessage()).startsWith(
        "/etc/ferry/ferry.yaml:4: source.password: environment variable NO_SUCH_VAR is not set");
  }

  @Test
  void substitutesEnvironmentVariablesBeforeTyping() throws ConfigException {
    Map<String, String> env = Map.of("JOURNAL", "/data/j", "CHUNK", "77", "PORT", "6543");
    String yaml = """
        source:
          name: primary
          url: jdbc:postgresql://db:${PORT}/app?user=${PGUSER:-ferry}
          chunk-changes: ${CHUNK}
        journal:
          dir: ${JOURNAL}
          segment-age: ${AGE:-90s}
          archive:
            command: cp %p /mnt/$${NOT_A_VAR}/%f
        """;

    FerryConfig c = FerryConfig.parse(yaml, FILE, env);

    assertThat(c.source().url().value()).isEqualTo("jdbc:postgresql://db:6543/app?user=ferry");
    assertThat(postgres(c.source()).chunkChanges()).isEqualTo(77);
    assertThat(c.journal().directory()).isEqualTo(Path.of("/data/j"));
    assertThat(c.journal().segmentAge()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.archive().target()).isEqualTo(new ArchiveTarget.Command("cp %p /mnt/${NOT_A_VAR}/%f"));
  }

  @Test
  void refusesDuplicateReplicaNamesNamingBothLines() {
    String yaml = MINIMAL + """
        replicas:
          - name: r1
            url: jdbc:sqlite:/tmp/a.db
          - name: r1
            url: jdbc:sqlite:/tmp/b.db
        """;

    assertThat(refused(yaml).getMessage())
        .isEqualTo("/etc/ferry/ferry.yaml:9: replicas[1].name: 'r1' is already the name of replicas[0] (line 7)");
  }

  @Test
  void refusesTwoReplicasOnTheSameDatabase() {
    String yaml = MINIMAL + """
        replicas:
          - name: r1
            url: jdbc:postgresql://db:5433/app?user=a
          - name: r2
            url: jdbc:postgresql://DB:5433/app?user=b
        """;

    assertThat(refused(yaml).getMessage())
        .isEqualTo("/etc/ferry/ferry.yaml:10: replicas[1].url: names the same database as replicas[0].url (line 8)");
  }

  @Test
  void refusesReplicaThatIsTheSource() {
    String yaml = MINIMAL + "replicas:\n  - name: r1\n    url: jdbc:postgresql://127.0.0.1/app?user=other\n";

    assertThat(refused(yaml).getMessage()).startsWith(
        "/etc/ferry/ferry.yaml:8: replicas[0].url: names the source's database (source.url, line 3)");
  }

  @Test
  void refusesArchiveDirectoryAndCommandTogether() {
    String yaml = MINIMAL + "  archive:\n    dir: /a\n    command: cp %p /a/%f\n";

    assertThat(refused(yaml).getMessage()).isEqualTo("/etc/ferry/ferry.yaml:8: journal.archive.command: contradicts "
        + "journal.archive.dir (line 7): give a directory or a command, not both");
  }

  @Test
  void refusesSlotAndPublicationForSqliteSource() {
    String yaml = "source:\n  name: s\n  url: jdbc:sqlite:/tmp/s.db\n  publication: p\njournal:\n  dir: /tmp/j\n";

    assertThat(refused(yaml).getMessage())
        .startsWith("/etc/ferry/ferry.yaml:4: source.publication: applies to PostgreSQL sources only");
  }

  @Test
  void refusesUrlOfAnotherDatabaseWithoutShowingItsPassword() {
    ConfigException e = refused(MINIMAL.replace("jdbc:postgresql://127.0.0.1:5432/app?user=ferry",
        "jdbc:mysql://h/app?user=u&password=${PGPASSWORD}"));

    assertThat(e.getMessage()).startsWith("/etc/ferry/ferry.yaml:3: source.url: 'jdbc:mysql://h/app?user=u&password=****'"
        + " is not a jdbc:postgresql:, jdbc:sqlite: or jdbc:mariadb: URL");
    assertThat(e.getMessage()).doesNotContain("s3cr3t-pw");
  }

  @Test
  void refusesMissingRequiredKeys() {
    assertThat(refused(MINIMAL.replace("  url: jdbc:postgresql://127.0.0.1:5432/app?user=ferry\n", "")).getMessage())
        .isEqualTo("/etc/ferry/ferry.yaml:1: source.url: required key is missing");
    assertThat(refused("source:\n  name: a\n  url: jdbc:sqlite:/tmp/a.db\n").getMessage())
        .isEqualTo("/etc/ferry/ferry.yaml: journal: required key is missing");
    assertThat(refused(MINIMAL + "replicas:\n  - url: jdbc:sqlite:/tmp/r.db\n").getMessage())
        .isEqualTo("/etc/ferry/ferry.yaml:7: replicas[0].name: required key is missing");
  }

  @Test
  void refusesDuplicateKeys() {
    assertThat(refused(MINIMAL + "  dir: /other\n").getMessage())
        .isEqualTo("/etc/ferry/ferry.yaml:6: journal.dir: duplicate key (first at line 5)");
  }

  @Test
  void yamlSyntaxErrorNamesLineAndColumnInWords() {
    ConfigException e = refused(MINIMAL + "replicas:\n  - name: [r1\n    url: x\n");

    assertThat(e.getMessage()).startsWith("/etc/ferry/ferry.yaml:8: not valid YAML at line 8, column ");
    assertThat(e.line()).isEqualTo(OptionalInt.of(8));
    assertThat(e.key()).isEmpty();
  }

  @Test
  void toStringAndDescribeNeverShowPasswords() throws ConfigException {
    String yaml = FULL.replace("url: jdbc:postgresql://127.0.0.1:5433/app?user=ferry",
        "url: jdbc:postgresql://ferry:${PGPASSWORD}@127.0.0.1:5433/app?sslpassword=${REPLICA_PW}&password=${REPLICA_PW}");

    FerryConfig c = parse(yaml);

    for (String text : new String[] {c.toString(), c.describe(), c.source().toString(), c.replicas().toString()}) {
      assertThat(text).doesNotContain("s3cr3t-pw").doesNotContain("r3plica-pw");
    }
    assertThat(c.describe()).contains("jdbc:postgresql://ferry:****@127.0.0.1:5433/app?sslpassword=****&password=****")
        .contains("source primary: jdbc:postgresql://127.0.0.1:5432/app?user=ferry password ****")
        .contains("segment-size 16MiB, segment-age 5m, retain 1GiB");
    assertThat(c.replicas().get(0).url().value()).contains("r3plica-pw");
  }

  @Test
  void loadNamesAMissingFile(@TempDir Path dir) {
    Path file = dir.resolve("ferry.yaml");

    assertThat(refused(() -> FerryConfig.load(file)).getMessage()).isEqualTo(file + ": no such file");
  }

  @Test
  void loadReadsAFileAndTouchesNothing(@TempDir Path dir) throws IOException, ConfigException {
    Path file = dir.resolve("ferry.yaml");
    Files.writeString(file, MINIMAL.replace("/var/lib/ferry/journal", "j"));

    FerryConfig c = FerryConfig.load(file, Map.of());

    assertThat(c.journal().directory()).isEqualTo(dir.resolve("j"));
    try (var entries = Files.list(dir)) {
      assertThat(entries).containsExactly(file);
    }
  }

  @Test
  void refusesJournalDirThatIsAFile(@TempDir Path dir) throws IOException {
    Path notADir = Files.writeString(dir.resolve("journal"), "x");

    assertThat(refused(MINIMAL.replace("/var/lib/ferry/journal", notADir.toString())).getMessage())
        .isEqualTo("/etc/ferry/ferry.yaml:5: journal.dir: '" + notADir + "' exists and is not a directory");
  }

  @Test
  void aMariaDbReplicaIsReadWriteOrByDefaultReadOnly() throws Exception {
    String replica = "replicas:\n  - name: m1\n    url: jdbc:mariadb://127.0.0.1:3306/app?user=ferry\n";
    ReplicaSettings r = parse(MINIMAL + replica + "    mode: read-write\n    password: ${REPLICA_PW}\n")
        .replicas().get(0);
    assertThat(r.url().kind()).isEqualTo(JdbcUrl.Kind.MARIADB);
    assertThat(r.password()).contains(new Secret("r3plica-pw"));
    assertThat(r.apply().readOnlyReplica()).isFalse();
    assertThat(parse(MINIMAL + replica).replicas().get(0).apply().readOnlyReplica()).as("the default mode").isTrue();
  }

  @Test
  void aMariaDbSourceIsCapturedFromItsBinlogWithItsOwnKeys() throws Exception {
    String maria = MINIMAL.replace("jdbc:postgresql://127.0.0.1:5432/app?user=ferry", "jdbc:mariadb://db/app");
    SourceSettings s = parse(maria.replace("  url:", "  binlog-server-id: 77\n  chunk-changes: 500\n  url:"))
        .source();
    assertThat(s.capture().kind()).isEqualTo("mariadb");
    var config = ((SourceSpec.MariaDb) s.capture()).config();
    assertThat(config.replicaServerId()).isEqualTo(77);
    assertThat(config.chunkChanges()).isEqualTo(500);
    assertThat(config.tables().accepts(new dev.ferry.journal.model.TableId("", "accounts"))).isTrue();
    assertThat(config.forwardApplied()).isFalse();
    SourceSettings forward = parse(maria.replace("  url:", "  forward-origins: true\n  url:")).source();
    assertThat(((SourceSpec.MariaDb) forward.capture()).config().forwardApplied()).isTrue();
    assertThat(refused(maria.replace("  url:", "  slot: s1\n  url:")).getMessage()).isEqualTo(
        "/etc/ferry/ferry.yaml:3: source.slot: does not apply to MariaDB sources (source.url is a MariaDB database;"
        + " the journal keeps MariaDB's own GTIDs)");
  }

  @Test
  void forwardOriginsIsOffByDefaultAndTakenOnEveryKindOfSource() throws ConfigException {
    String lite = "source:\n  name: a\n  url: jdbc:sqlite:/tmp/app.db\n%sjournal:\n  dir: /tmp/j\n";
    var sqlite = (SourceSpec.Sqlite) parse(lite.formatted("")).source().capture();
    assertThat(sqlite.config().forwardApplied()).isFalse();
    sqlite = (SourceSpec.Sqlite) parse(lite.formatted("  forward-origins: true\n")).source().capture();
    assertThat(sqlite.config().forwardApplied()).isTrue();
    assertThat(postgres(parse(MINIMAL.replace("journal:", "  forward-origins: true\njournal:")).source())
        .forwardOrigins()).isTrue();
  }

  @Test
  void streamingIsOffByDefaultOnWhenSaidAndRefusedOtherwiseNamingTheKey() throws ConfigException {
    assertThat(postgres(parse(MINIMAL).source()).streaming()).isFalse();
    assertThat(postgres(parse(MINIMAL.replace("journal:", "  streaming: on\njournal:")).source()).streaming()).isTrue();
    assertThat(postgres(parse(MINIMAL.replace("journal:", "  streaming: off\njournal:")).source()).streaming()).isFalse();
    assertThat(refused(MINIMAL.replace("journal:", "  streaming: yes\njournal:")).getMessage())
        .isEqualTo("/etc/ferry/ferry.yaml:4: source.streaming: 'yes' is not on or off");
    assertThat(refused("source:\n  name: a\n  url: jdbc:sqlite:/tmp/app.db\n  streaming: on\njournal:\n  dir: /tmp/j\n")
        .getMessage()).isEqualTo("/etc/ferry/ferry.yaml:4: source.streaming: applies to PostgreSQL sources only;"
        + " source.url is a SQLite database");
  }

  private static PostgresSourceConfig postgres(SourceSettings s) {
    assertThat(s.capture()).isInstanceOf(SourceSpec.Postgres.class);
    return ((SourceSpec.Postgres) s.capture()).config();
  }
}
