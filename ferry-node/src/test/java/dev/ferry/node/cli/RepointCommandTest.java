package dev.ferry.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.node.run.JournalFromOverride;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry repoint} in process: what it writes, and its refusals (usage errors exit 2, a node
 * that is no replica node exit 1), each without a stack trace and writing nothing. (A running node
 * switching: {@code RepointTest} in ferry-e2e.)
 */
@Timeout(60)
class RepointCommandTest {
  @TempDir Path dir;
  @RegisterExtension final CapturedConsole console = new CapturedConsole();

  @Test
  void writesTheOverrideWithTheConfiguredConsumerAndWhatItOverrides() throws Exception {
    Path c = Files.writeString(dir.resolve("c.yaml"), "source:\n  name: primary\n  url: jdbc:postgresql://127.0.0.1:1/x\n"
        + "journal:\n  dir: " + dir.resolve("c-journal") + "\n  from:\n    http:\n      url: http://10.0.0.1:8451/\n"
        + "      consumer: c\nreplicas: []\n");
    assertThat(FerryMain.run("repoint", "-c", c.toString(), "--url", "http://10.0.0.2:8451")).isZero();
    JournalFromOverride o = JournalFromOverride.read(dir.resolve("c-journal")).orElseThrow();
    assertThat(o.url()).contains("http://10.0.0.2:8451/");
    assertThat(o.consumer()).contains("c");
    assertThat(o.command()).isEqualTo("ferry repoint");
    assertThat(o.overrides()).isEqualTo("http http://10.0.0.1:8451/ consumer c");
    assertThat(console.out()).contains("re-pointed " + c + " to http http://10.0.0.2:8451/ consumer c (instead of the"
        + " configured http http://10.0.0.1:8451/ consumer c): wrote " + dir.resolve("c-journal/journal-from.json"));

    assertThat(FerryMain.run("repoint", "-c", c.toString(), "--dir", "incoming")).isZero();
    assertThat(JournalFromOverride.read(dir.resolve("c-journal")).orElseThrow().directory())
        .contains(Path.of("incoming").toAbsolutePath().toString());
  }

  @Test
  void badInputIsRefusedByNameAndWritesNothing() throws Exception {
    Path c = Files.writeString(dir.resolve("c.yaml"), "source:\n  name: primary\n  url: jdbc:postgresql://127.0.0.1:1/x\n"
        + "journal:\n  dir: " + dir.resolve("c-journal") + "\n  from:\n    http:\n      url: http://10.0.0.1:8451/\n"
        + "replicas: []\n");
    assertThat(FerryMain.run("repoint", "-c", c.toString())).isEqualTo(2);
    assertThat(console.err()).contains("give the new source with --url URL (or --dir DIR), one of them");
    assertThat(FerryMain.run("repoint", "-c", c.toString(), "--url", "http://b/", "--dir", "x")).isEqualTo(2);
    assertThat(FerryMain.run("repoint", "-c", c.toString(), "--url", "ftp://b/")).isEqualTo(2);
    assertThat(console.err()).contains("--url: 'ftp://b/' is not an http:// or https:// URL with a host");
    assertThat(FerryMain.run("repoint", "-c", dir.resolve("nope.yaml").toString(), "--url", "http://b/")).isEqualTo(2);
    assertThat(console.err()).contains("nope.yaml");
    Path primary = Files.writeString(dir.resolve("a.yaml"), "source:\n  name: primary\n"
        + "  url: jdbc:postgresql://127.0.0.1:1/x\njournal:\n  dir: " + dir.resolve("a-journal") + "\n");
    assertThat(FerryMain.run("repoint", "-c", primary.toString(), "--url", "http://b/")).isEqualTo(1);
    assertThat(console.err()).contains("cannot re-point " + primary + ": journal.from is not set: it is no replica node")
        .doesNotContain("Exception");
    assertThat(dir.resolve("c-journal/journal-from.json")).doesNotExist();
    assertThat(dir.resolve("a-journal/journal-from.json")).doesNotExist();
  }
}
