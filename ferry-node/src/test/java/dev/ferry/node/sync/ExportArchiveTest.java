package dev.ferry.node.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.sync.ArchiveCorruptException;
import dev.ferry.apply.sync.ExportArchive;
import dev.ferry.apply.sync.SyncException;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalInspector;
import dev.ferry.node.cli.FerryMain;
import dev.ferry.node.run.FerryNode;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.testkit.BankWorkload;
import dev.ferry.testkit.PostgresClusterExtension;
import dev.ferry.testkit.SqliteDatabase;
import dev.ferry.testkit.WorkloadRunner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Full export archives: export under load, load, stream on; no replication point; corruption. */
@Timeout(180)
class ExportArchiveTest {
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  @Test
  void archiveExportedUnderLoadLoadsIntoAFreshReplicaThatStreamsToEqualDigests(@TempDir Path dir) throws Exception {
    String source = postgres.cluster().createDatabase("exp_src");
    String target = postgres.cluster().createDatabase("exp_dst");
    BankWorkload bank = SyncFixture.createSource(source, 1_000, 5_000);
    Path journal = dir.resolve("journal");
    Path archive = dir.resolve("archive");
    NodeSpec spec = SyncFixture.node(source, journal, target);
    try (FerryNode capture = FerryNode.start(spec, FerryNode.Role.CAPTURE, List.of())) {
      assertThat(capture.awaitCaptureStreaming(Duration.ofSeconds(30))).isTrue();
      WorkloadRunner load = WorkloadRunner.start(bank, () -> DriverManager.getConnection(source), 4, 7);
      try {
        load.awaitCommitted(200, Duration.ofSeconds(30));
        FullExport.Exported exported = FullExport.export(SyncFixture.source(source), journal, archive,
            new FullExport.Options(true, 2, Duration.ofSeconds(60)));
        String journalId = JournalInspector.journalId(journal).toString();
        assertThat(exported.point()).isPresent();
        assertThat(Files.readString(archive.resolve(ExportArchive.REPLICATION_SEQUENCE)))
            .contains("journal " + journalId).contains("snapshot pg-lsn:");
        assertThat(exported.tables()).hasSize(SyncFixture.TABLES.size());

        Path other = Files.createDirectories(dir.resolve("other-journal"));
        Journal.open(JournalConfig.defaults(other)).close();
        assertThatThrownBy(() -> ArchiveLoad.load(archive, spec.replica("r1"), other))
            .isInstanceOf(SyncException.class).hasMessageContaining(journalId)
            .hasMessageContaining(JournalInspector.journalId(other).toString());

        // The source moves on after the export: streaming must bring exactly those changes.
        load.awaitCommitted(load.committed() + 200, Duration.ofSeconds(30));
        ArchiveLoad.Loaded loaded = ArchiveLoad.load(archive, spec.replica("r1"), journal);
        assertThat(loaded.rows()).isEqualTo(exported.rows());
        assertThat(InitialSync.needsSeed(spec.replica("r1"), journal)).isFalse();
        try (FerryNode apply = FerryNode.start(spec, FerryNode.Role.APPLY, List.of("r1"))) {
          load.awaitCommitted(load.committed() + 300, Duration.ofSeconds(30));
          load.stop();
          SyncFixture.awaitEqualDigests(source, target, Duration.ofSeconds(60));
          assertThat(apply.failedReplicas()).isEmpty();
        }
      } finally {
        load.close();
      }
    }
  }

  @Test
  void archiveLoadsIntoASqliteReplicaWithMappedTypesThatThenStreamsToEqualDigests(@TempDir Path dir)
      throws Exception {
    String source = postgres.cluster().createDatabase("lite_src");
    BankWorkload bank = SyncFixture.createSource(source, 200, 1_000);
    Path journal = dir.resolve("journal");
    Path archive = dir.resolve("archive");
    try (SqliteDatabase target = SqliteDatabase.create()) {
      NodeSpec spec = SyncFixture.node(source, journal, target.jdbcUrl());
      try (FerryNode capture = FerryNode.start(spec, FerryNode.Role.CAPTURE, List.of())) {
        assertThat(capture.awaitCaptureStreaming(Duration.ofSeconds(30))).isTrue();
        FullExport.export(SyncFixture.source(source), journal, archive,
            new FullExport.Options(true, 2, Duration.ofSeconds(60)));
        WorkloadRunner load = WorkloadRunner.start(bank, () -> DriverManager.getConnection(source), 2, 11);
        try {
          load.awaitCommitted(100, Duration.ofSeconds(30));
          ArchiveLoad.load(archive, spec.replica("r1"), journal);
          try (FerryNode apply = FerryNode.start(spec, FerryNode.Role.APPLY, List.of("r1"))) {
            load.awaitCommitted(load.committed() + 100, Duration.ofSeconds(30));
            load.stop();
            SyncFixture.awaitEqualDigests(source, target.jdbcUrl(), Duration.ofSeconds(60));
            assertThat(apply.failedReplicas()).isEmpty();
          }
        } finally {
          load.close();
        }
      }
    }
  }

  @Test
  void archiveWithoutReplicationPointHasAnEmptyReplicationSequenceAndItsReplicaRefusesToStream(@TempDir Path dir)
      throws Exception {
    String source = postgres.cluster().createDatabase("nopoint_src");
    String target = postgres.cluster().createDatabase("nopoint_dst");
    SyncFixture.createSource(source, 200, 1_000);
    Path config = config(dir, source, target);
    Path archive = dir.resolve("archive");
    NodeSpec spec = SyncFixture.node(source, dir.resolve("journal"), target);
    try (FerryNode capture = FerryNode.start(spec, FerryNode.Role.CAPTURE, List.of())) {
      assertThat(capture.awaitCaptureStreaming(Duration.ofSeconds(30))).isTrue();
      assertThat(ferry("export", "-c", config.toString(), archive.toString(), "--no-replication-point").exit())
          .isZero();
      assertThat(archive.resolve(ExportArchive.REPLICATION_SEQUENCE)).isEmptyFile();
      Cli loaded = ferry("load", "-c", config.toString(), archive.toString(), "--replica", "r1");
      assertThat(loaded.exit()).as(loaded.err()).isZero();
      assertThat(loaded.out()).contains("no replication point");
      assertThat(SyncFixture.digests(target)).isEqualTo(SyncFixture.digests(source));

      // The replica seeds (and so refuses) on its own thread: it stops as failed, the node runs on.
      try (FerryNode apply = FerryNode.start(spec, FerryNode.Role.APPLY, List.of("r1"))) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (apply.failedReplicas().isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(apply.failedReplicas()).containsExactly("r1");
        assertThat(apply.status().replicas().get(0).lastError()).hasValueSatisfying(m -> assertThat(m)
            .contains("[replica r1]").contains("no replication point").contains(archive.toString()));
      }
    }
  }

  @Test
  void loadRefusesAnArchiveWithAFlippedByteNamingTheFileAndLeavesTheReplicaAsItWas(@TempDir Path dir)
      throws Exception {
    String source = postgres.cluster().createDatabase("flip_src");
    String target = postgres.cluster().createDatabase("flip_dst");
    SyncFixture.createSource(source, 200, 1_000);
    Path config = config(dir, source, target);
    Path archive = dir.resolve("archive");
    NodeSpec spec = SyncFixture.node(source, dir.resolve("journal"), target);
    try (FerryNode capture = FerryNode.start(spec, FerryNode.Role.CAPTURE, List.of())) {
      assertThat(capture.awaitCaptureStreaming(Duration.ofSeconds(30))).isTrue();
      FullExport.export(SyncFixture.source(source), dir.resolve("journal"), archive,
          FullExport.Options.DEFAULTS.withoutReplicationPoint());
    }
    Path accounts;
    try (var files = Files.list(archive)) {
      accounts = files.filter(f -> f.getFileName().toString().endsWith("public.accounts.copy")).findFirst()
          .orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(accounts);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(accounts, bytes);

    Cli loaded = ferry("load", "-c", config.toString(), archive.toString(), "--replica", "r1");
    assertThat(loaded.exit()).isEqualTo(1);
    assertThat(loaded.err()).contains(accounts.toString()).contains("corrupt").contains("SHA-256");
    assertThatThrownBy(() -> ExportArchive.open(archive)).isInstanceOf(ArchiveCorruptException.class)
        .extracting(e -> ((ArchiveCorruptException) e).path()).isEqualTo(accounts);
    try (Connection c = DriverManager.getConnection(target);
        ResultSet rs = c.createStatement().executeQuery("SELECT to_regclass('public.accounts') IS NULL")) {
      assertThat(rs.next() && rs.getBoolean(1)).as("the replica has no accounts table").isTrue();
    }
  }

  private record Cli(int exit, String out, String err) {
  }

  private static Cli ferry(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int exit = FerryMain.run(args);
      return new Cli(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** A configuration naming the source after its database, as {@link SyncFixture#source} does. */
  private static Path config(Path dir, String source, String target) throws Exception {
    String name = SyncFixture.source(source).name();
    return Files.writeString(dir.resolve("ferry.yaml"), """
        source:
          name: %s
          url: '%s'
        journal:
          dir: '%s'
        replicas:
          - name: r1
            url: '%s'
        """.formatted(name, source, dir.resolve("journal"), target));
  }
}
