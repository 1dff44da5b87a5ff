package dev.ferry.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry failover}'s refusals before it reads a database: usage errors exit 2, configurations
 * that name no replica node of one journal exit 1 naming the file; no stack trace. (What it chooses:
 * {@code FailoverChoiceTest}; end to end: {@code FailoverTest}.)
 */
@Timeout(60)
class FailoverCommandTest {
  @TempDir Path dir;
  @RegisterExtension final CapturedConsole console = new CapturedConsole();

  @Test
  void withoutAConfigurationOrWithAnUnknownOptionItIsAUsageError() throws Exception {
    assertThat(FerryMain.run("failover", "--dry-run")).isEqualTo(2);
    assertThat(err()).contains("ferry failover: give the configuration of each replica node of the journal with -c FILE");
    assertThat(FerryMain.run("failover", "--frobnicate")).isEqualTo(2);
    assertThat(err()).contains("--frobnicate");
    Path b = node("b", "b-journal");
    assertThat(FerryMain.run("failover", "-c", b.toString(), "-c", b.toString())).isEqualTo(2);
    assertThat(err()).contains("-c " + b + " is given twice");
    Path alias = node("b-again", "b-journal");
    assertThat(FerryMain.run("failover", "-c", b.toString(), "-c", alias.toString())).isEqualTo(2);
    assertThat(err()).contains(b + " and " + alias + " name the same journal.dir");
    assertThat(FerryMain.run("failover", "--sequence-gap", "-1", "-c", b.toString())).isEqualTo(2);
    assertThat(err()).contains("--sequence-gap: must not be negative").doesNotContain("Exception");
  }

  @Test
  void refusesWhatIsNoReplicaNodeOfOneJournalNamingTheFiles() throws Exception {
    Path b = node("b", "b-journal");
    Path c = node("c", "c-journal");
    assertThat(FerryMain.run("failover", "-c", b.toString(), "-c", c.toString())).isEqualTo(1);
    assertThat(err()).contains(b + ": journal.dir " + dir.resolve("b-journal") + " holds no journal copy yet");
    Journal.open(JournalConfig.defaults(dir.resolve("b-journal"))).close();
    Journal.open(JournalConfig.defaults(dir.resolve("c-journal"))).close();
    assertThat(FerryMain.run("failover", "--dry-run", "-c", b.toString(), "-c", c.toString())).isEqualTo(1);
    assertThat(err()).contains(b + " and " + c + " hold copies of different journals (");
    Path primary = Files.writeString(dir.resolve("a.yaml"), "source:\n  name: primary\n"
        + "  url: jdbc:postgresql://127.0.0.1:1/x\njournal:\n  dir: " + dir.resolve("a-journal") + "\n");
    assertThat(FerryMain.run("failover", "--dry-run", "-c", primary.toString())).isEqualTo(1);
    assertThat(err()).contains(primary + ": journal.from is not set: it is no replica node")
        .doesNotContain("Exception");
  }

  /** A replica node without replicas (nothing to read on a database) over HTTP. */
  private Path node(String name, String journal) throws Exception {
    return Files.writeString(dir.resolve(name + ".yaml"), "source:\n  name: primary\n"
        + "  url: jdbc:postgresql://127.0.0.1:1/x\njournal:\n  dir: " + dir.resolve(journal) + "\n  from:\n    http:\n"
        + "      url: http://127.0.0.1:1/\n      consumer: " + name + "\nreplicas: []\n");
  }

  private String err() {
    return console.err();
  }
}
