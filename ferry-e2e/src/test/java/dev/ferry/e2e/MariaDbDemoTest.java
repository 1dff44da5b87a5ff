package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/ferry demo --mariadb}: the demo on two throwaway MariaDB servers exits 0 with matching
 * digests, the journal's GTIDs are the primary's own from {@code 0-1-1}, and the servers are gone
 * afterwards (no process, nothing left in the temp directory the demo was given), also when the
 * demo is stopped with SIGTERM mid-run; the refusals.
 */
@Timeout(300)
class MariaDbDemoTest {
  @TempDir Path dir;

  @Test
  void theDemoRunsOnThrowawayMariaDbServersAndRemovesThem() throws Exception {
    Path tmp = demoTempDir();
    FerryCli.Result r = new FerryCli(dir).run(Duration.ofSeconds(240), tempDirEnv(tmp),
        "demo", "--mariadb", "--seconds", "5");

    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.stdout()).contains("ferry demo: throwaway MariaDB servers on 127.0.0.1:")
        .contains("ferry demo: MariaDB primary -> replica")
        .contains("loaded 1000 accounts (total balance 10000000) and replicated them; running 4 clients for 5 s")
        .contains("total always 10000000")
        .contains("OK: the replica equals the primary.");
    assertThat(r.stdout().lines().filter(l -> l.endsWith(" match")).count()).as(r.stdout()).isEqualTo(5);
    String last = r.stdout().lines().filter(l -> l.contains(" workload ")).reduce((a, b) -> b).orElseThrow();
    Matcher m = Pattern.compile("workload +(\\d+) tx +journal +(\\d+) tx +applied +(\\d+) +lag +0 tx").matcher(last);
    assertThat(m.find()).as("last progress line: %s", r.stdout()).isTrue();
    assertThat(m.group(3)).as("applied").isEqualTo(m.group(2));
    // The primary's binlog starts with the demo: the journal holds one transaction per source
    // transaction, the load's included, with the primary's GTIDs (server id 1, the first server).
    assertThat(r.stdout()).contains("journal:  " + m.group(2) + " transactions, last GTID 0-1-" + m.group(2)
            + " (one per source transaction, the initial load's included)")
        .contains("replica:  applied through 0-1-" + m.group(2));
    assertThat(r.stderr()).as("the binlog client's INFO lines stay quiet").doesNotContain("INFO");

    assertTheServersAreGone(r.stdout(), tmp);
    assertThat(Files.readString(dir.resolve("ferry-demo/ferry.yaml"))).contains("jdbc:mariadb://127.0.0.1:")
        .contains("mode: read-write");
  }

  @Test
  void theServersAreRemovedWhenTheDemoIsStoppedMidRun() throws Exception {
    Path tmp = demoTempDir();
    Path log = dir.resolve("demo.log");
    try (FerryCli cli = new FerryCli(dir)) {
      Process demo = cli.start(log, tempDirEnv(tmp), "demo", "--mariadb", "--seconds", "120");
      LogWait.awaitLine(log, "running 4 clients for 120 s", demo, Duration.ofSeconds(180));
      try (Stream<Path> servers = Files.list(tmp)) {
        // Beside them the data directory both were copied from (made once per process).
        assertThat(servers.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("ferry-mariadb-")))
            .as("the servers run in the demo's temp directory").hasSize(3)
            .filteredOn(n -> n.startsWith("ferry-mariadb-template-")).hasSize(1);
      }

      FerryCli.terminate(demo, Duration.ofSeconds(60));
    }
    assertTheServersAreGone(Files.readString(log), tmp);
  }

  /** The servers' directories the demo named, in its temp directory, are gone, and so is every process there. */
  private static void assertTheServersAreGone(String output, Path tmp) throws Exception {
    Matcher servers = Pattern.compile("\\((primary|replica), in (\\S+)\\)").matcher(output);
    List<Path> serverDirs = servers.results().map(s -> Path.of(s.group(2))).toList();
    assertThat(serverDirs).as("the servers' directories, in the demo's temp directory: %s", output).hasSize(2)
        .allMatch(p -> p.startsWith(tmp));
    assertThat(serverDirs).noneMatch(Files::exists);
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left).as("left in the demo's temp directory").isEmpty();
    }
    assertThat(ProcessHandle.allProcesses()
            .filter(p -> p.info().commandLine().orElse("").contains(tmp.toString())).map(ProcessHandle::pid))
        .as("processes of the demo or its servers").isEmpty();
  }

  /**
   * The demo's own temp directory, so that what it leaves there is told from other tests' servers;
   * traversable by the mysql OS user the servers run as when the tests run as root.
   */
  private Path demoTempDir() throws Exception {
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    for (Path p : List.of(dir, tmp)) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx--x--x"));
    }
    return tmp;
  }

  private static Map<String, String> tempDirEnv(Path tmp) {
    return Map.of("FERRY_JAVA_OPTS", "-Xmx256m -Djava.io.tmpdir=" + tmp);
  }

  @Test
  void postgresAndMariaDbTogetherAreRefused() throws Exception {
    FerryCli.Result r = new FerryCli(dir).run(Duration.ofSeconds(120), "demo", "--postgres", "--mariadb");

    assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
    assertThat(r.stderr()).contains("--postgres and --mariadb exclude each other").doesNotContain("Exception");
    assertThat(dir.resolve("ferry-demo")).doesNotExist();
  }

  @Test
  void missingMariaDbBinariesNameThePackageToInstall() throws Exception {
    FerryCli.Result r = new FerryCli(dir).run(Duration.ofSeconds(120),
        Map.of("FERRY_MARIADB_BIN", dir.resolve("no-such-dir").toString()), "demo", "--mariadb");

    assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
    assertThat(r.stderr()).contains("install the mariadb-server package").contains("no-such-dir")
        .doesNotContain("Exception");
  }
}
