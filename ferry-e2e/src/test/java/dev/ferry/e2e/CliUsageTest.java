package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the command line does with no command, an unknown one, a broken file, and -c where it fits. */
@Timeout(180)
class CliUsageTest {
  @TempDir Path dir;

  @Test
  void noCommandPrintsTheUsageAndExitsTwo() throws Exception {
    FerryCli.Result r = new FerryCli(dir).run(Duration.ofSeconds(60));

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("Usage: ferry").contains("Commands:");
  }

  @Test
  void anUnknownCommandFollowedByHelpIsNamedAndExitsTwo() throws Exception {
    FerryCli.Result r = new FerryCli(dir).run(Duration.ofSeconds(60), "replicate", "--help");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("unknown command 'replicate'");
    assertThat(r.stdout()).doesNotContain("Usage:");
  }

  @Test
  void helpTextBreaksLinesOnlyAtSentenceEndsOrTheWrapWidth() throws Exception {
    FerryCli cli = new FerryCli(dir);
    java.util.List<String> broken = new java.util.ArrayList<>();
    for (String command : new String[] {"demo", "run", "capture", "apply", "setup", "teardown", "status", "export",
        "load", "journal"}) {
      FerryCli.Result r = cli.run(Duration.ofSeconds(60), command, "--help");
      assertThat(r.exitCode()).as(command).isZero();
      // Description lines: from column 0, after the synopsis, before the first option.
      java.util.List<String> description = r.stdout().lines()
          .dropWhile(l -> l.startsWith("Usage:") || l.startsWith(" ")).takeWhile(l -> !l.startsWith(" ")).toList();
      assertThat(description).as(command).isNotEmpty();
      for (String line : description.subList(0, description.size() - 1)) {
        if (line.length() < 60 && !line.endsWith(".") && !line.endsWith(":")) {
          broken.add(command + ": " + line);
        }
      }
    }
    assertThat(broken).as("lines that end mid-sentence, well before the wrap width").isEmpty();
  }

  @Test
  void aYamlSyntaxErrorNamesLineAndColumnInWords() throws Exception {
    Path config = dir.resolve("ferry.yaml");
    Files.writeString(config, """
        source:
          name: primary
          url: jdbc:sqlite:source.db: oops
        """);

    FerryCli.Result r = new FerryCli(dir).run(Duration.ofSeconds(60), "status", "-c", config.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr().strip().lines()).as(r.all()).hasSize(1);
    assertThat(r.stderr()).contains("ferry.yaml:3").contains("at line 3, column 29").contains("not valid YAML");
  }

  @Test
  void anApplyOnlyProcessNamesItsReplicaNotTheSource() throws Exception {
    Path config = sqliteConfig();
    try (FerryCli cli = new FerryCli(dir)) {
      assertThat(cli.run(Duration.ofSeconds(120), "setup", "-c", config.toString()).exitCode()).isZero();
      Path log = dir.resolve("apply.log");
      Process apply = cli.start(log, "apply", "-c", config.toString());
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (!Files.readString(log).contains("node started") && System.nanoTime() < deadline) {
        assertThat(apply.isAlive()).as(Files.readString(log)).isTrue();
        Thread.sleep(200);
      }

      assertThat(FerryCli.terminate(apply, Duration.ofMinutes(1))).as(Files.readString(log)).isZero();
      assertThat(Files.readString(log)).contains("[replica r1] node started (APPLY)")
          .contains("[replica r1] node stopped").doesNotContain("[source lite] node");
    }
  }

  private Path sqliteConfig() throws Exception {
    Path config = dir.resolve("ferry.yaml");
    Files.writeString(config, """
        source:
          name: lite
          url: jdbc:sqlite:%s
        journal:
          dir: %s
        replicas:
          - name: r1
            url: jdbc:sqlite:%s
        """.formatted(dir.resolve("source.db"), dir.resolve("journal"), dir.resolve("replica.db")));
    return config;
  }

  @Test
  void journalCommandsTakeTheJournalOfTheConfiguration() throws Exception {
    Path config = sqliteConfig();
    Path journal = dir.resolve("journal");
    FerryCli cli = new FerryCli(dir);
    assertThat(cli.run(Duration.ofSeconds(120), "setup", "-c", config.toString()).exitCode()).isZero();

    FerryCli.Result ls = cli.run(Duration.ofSeconds(60), "journal", "ls", "-c", config.toString());
    FerryCli.Result verify = cli.run(Duration.ofSeconds(60), "journal", "verify", "-c", config.toString());
    FerryCli.Result dump = cli.run(Duration.ofSeconds(60), "journal", "dump", "-c", config.toString());

    assertThat(ls.exitCode()).as(ls.all()).isZero();
    assertThat(ls.stdout()).contains("in " + journal);
    assertThat(verify.exitCode()).as(verify.all()).isZero();
    assertThat(verify.stdout()).startsWith("ok:");
    assertThat(dump.exitCode()).as(dump.all()).isZero();
  }
}
