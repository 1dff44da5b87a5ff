package dev.ferry.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.transport.JournalFrom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code journal.from}: a replica node's journal copy and where it comes from, refused with the key's name. */
class JournalFromConfigTest {
  private static final Path FILE = Path.of("/etc/ferry/ferry.yaml");
  private static final String REPLICA_NODE = """
      source:
        name: primary
        url: jdbc:postgresql://10.0.0.1:5432/app?user=ferry
      journal:
        dir: /var/lib/ferry/journal-copy
      """;

  private static FerryConfig parse(String yaml) throws ConfigException {
    return FerryConfig.parse(yaml, FILE, Map.of());
  }

  private static String refused(String yaml) {
    try {
      parse(yaml);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).doesNotContain("\n");
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + yaml);
  }

  @Test
  void readsAnIncomingDirectoryWithItsPollInterval() throws ConfigException {
    FerryConfig c = parse(REPLICA_NODE + "  from:\n    directory: /var/lib/ferry/incoming\n    poll-interval: 250ms\n");

    assertThat(c.from()).contains(new JournalFrom.Directory(Path.of("/var/lib/ferry/incoming"), Duration.ofMillis(250)));
    assertThat(c.describe()).contains("from directory /var/lib/ferry/incoming, poll-interval 250ms");
  }

  @Test
  void pollsEverySecondByDefault() throws ConfigException {
    FerryConfig c = parse(REPLICA_NODE + "  from:\n    directory: incoming\n");

    assertThat(c.from()).contains(new JournalFrom.Directory(Path.of("/etc/ferry/incoming"), Duration.ofSeconds(1)));
  }

  @Test
  void aNodeWithoutFromCapturesIntoItsOwnJournal() throws ConfigException {
    assertThat(parse(REPLICA_NODE).from()).isEqualTo(Optional.empty());
  }

  @Test
  void refusesFromWithoutADirectory() {
    assertThat(refused(REPLICA_NODE + "  from:\n    poll-interval: 1s\n"))
        .isEqualTo("/etc/ferry/ferry.yaml:6: journal.from.directory: required key is missing (or give http: the URL"
            + " of a server of the primary's segments, or listen: where the primary pushes to)");
  }

  @Test
  void refusesTheJournalDirectoryItselfAsIncoming() {
    assertThat(refused(REPLICA_NODE + "  from:\n    directory: /var/lib/ferry/journal-copy\n"))
        .isEqualTo("/etc/ferry/ferry.yaml:7: journal.from.directory: is journal.dir itself; the copy and the incoming"
            + " directory must differ");
  }

  @Test
  void refusesAnIncomingDirectoryThatIsAFile(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
    assertThat(refused(REPLICA_NODE + "  from:\n    directory: " + file + "\n"))
        .isEqualTo("/etc/ferry/ferry.yaml:7: journal.from.directory: '" + file + "' exists and is not a directory");
  }

  @Test
  void refusesSegmentSettingsAndArchivingOfACopy() {
    assertThat(refused(REPLICA_NODE + "  segment-size: 1MiB\n  from:\n    directory: /in\n"))
        .isEqualTo("/etc/ferry/ferry.yaml:6: journal.segment-size: does not apply to a journal copy (journal.from, line"
            + " 7): its segments are the primary's, as the primary wrote them");
    assertThat(refused(REPLICA_NODE + "  from:\n    directory: /in\n  archive:\n    dir: /a\n"))
        .startsWith("/etc/ferry/ferry.yaml:8: journal.archive: does not apply to a journal copy");
  }

  @Test
  void refusesUnknownKeysUnderFrom() {
    assertThat(refused(REPLICA_NODE + "  from:\n    directory: /in\n    url: http://x\n"))
        .startsWith("/etc/ferry/ferry.yaml:8: journal.from.url: unknown key");
  }

  @Test
  void refusesAPollIntervalThatIsNoDuration() {
    assertThat(refused(REPLICA_NODE + "  from:\n    directory: /in\n    poll-interval: often\n"))
        .startsWith("/etc/ferry/ferry.yaml:8: journal.from.poll-interval:");
  }
}
