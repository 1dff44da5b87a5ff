package dev.ferry.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalIngest;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.SegmentState;
import dev.ferry.journal.fixtures.Transactions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --fetch-from} on {@code ferry promote} and {@code ferry failover}, in process, with replica
 * nodes that have no replicas (no database is read): a source that does not exist or is the node's
 * own copy is a usage error (exit 2); another journal and an unreachable URL exit 1 naming them,
 * nothing promoted; {@code ferry failover --fetch-from} fetches into the chosen node before promoting
 * it (whose promotion then refuses: it has no replica). (The fetch itself: {@code CopyFetchTest}; end to end: {@code PromoteFetchTest}.)
 */
@Timeout(60)
class FetchFromCommandTest {
  @TempDir Path dir;
  @RegisterExtension final CapturedConsole console = new CapturedConsole();

  @Test
  void badSourcesAreRefusedNamingThemAndNothingIsPromoted() throws Exception {
    Path primary = journal("a-journal", 200);
    Path b = node("b", copyOf(primary, "b-journal", 2));
    assertThat(FerryMain.run("promote", "-c", b.toString(), "--fetch-from", dir.resolve("nowhere").toString()))
        .isEqualTo(2);
    assertThat(console.err()).contains("--fetch-from " + dir.resolve("nowhere") + ": no such file or directory");
    assertThat(FerryMain.run("promote", "-c", b.toString(), "--fetch-from", b.toString())).isEqualTo(2);
    assertThat(console.err()).contains("that is this node's own journal copy");
    Path other = journal("x-journal", 50);
    assertThat(FerryMain.run("promote", "-c", b.toString(), "--fetch-from", other.toString())).isEqualTo(1);
    assertThat(console.err()).contains("cannot fetch from " + other + ": " + other + " holds journal "
        + JournalInspector.journalId(other), "nothing was promoted").doesNotContain("Exception");
    assertThat(FerryMain.run("promote", "-c", b.toString(), "--fetch-from", "http://127.0.0.1:1/")).isEqualTo(1);
    assertThat(console.err()).contains("--fetch-from: http://127.0.0.1:1/segments.list: cannot connect",
        "nothing was promoted").doesNotContain("Exception");
    assertThat(dir.resolve("b-journal").resolve("promotion.json")).doesNotExist();
  }

  /** The nodes have no replica, so the promotion after the fetch refuses: what shows is the fetch into the chosen node. */
  @Test
  void failoverFetchesIntoTheChosenNodeBeforePromotingIt() throws Exception {
    Path primary = journal("a-journal", 200);
    Path b = node("b", copyOf(primary, "b-journal", 3));
    Path c = node("c", copyOf(primary, "c-journal", 2));
    assertThat(FerryMain.run("failover", "-c", b.toString(), "-c", c.toString(), "--fetch-from", primary.toString()))
        .isEqualTo(1);
    assertThat(console.out()).contains("promote " + b + ": its history contains every other node's")
        .containsPattern("fetched 0-1-\\d+\\.\\.0-1-200 \\(\\d+ transactions, segments 4\\.\\.\\d+\\) from "
        + java.util.regex.Pattern.quote(primary.toString()));
    assertThat(console.err()).contains("promoting " + b + ": this node has no replica to promote");
    assertThat(JournalInspector.list(dir.resolve("b-journal")).getLast().lastGtid()).hasValue(Transactions.gtid(200));
    assertThat(JournalInspector.list(dir.resolve("c-journal")).getLast().number()).as("c untouched").isEqualTo(2);
  }

  /** A journal of 4 KiB segments holding transactions 1..count. */
  private Path journal(String name, int count) throws Exception {
    Path journal = dir.resolve(name);
    try (Journal j = Journal.open(JournalConfig.defaults(journal).withSegmentBytes(4096))) {
      for (int seq = 1; seq <= count; seq++) {
        j.append(Transactions.accounts(seq)).join();
      }
    }
    return journal;
  }

  /** A copy of the first {@code segments} sealed segments of {@code primary}. */
  private Path copyOf(Path primary, String name, int segments) throws Exception {
    Path copy = dir.resolve(name);
    List<SegmentInfo> sealed = JournalInspector.list(primary).stream().filter(s -> s.state() != SegmentState.OPEN)
        .toList();
    try (JournalIngest ingest = JournalIngest.open(JournalConfig.defaults(copy), JournalInspector.journalId(primary))) {
      for (SegmentInfo s : sealed.subList(0, segments)) {
        ingest.appendSegment(s.number(), s.recordCount(), Files.readAllBytes(s.path()));
      }
    }
    return copy;
  }

  /** A replica node without replicas (nothing to read on a database) over HTTP. */
  private Path node(String name, Path journal) throws Exception {
    return Files.writeString(dir.resolve(name + ".yaml"), "source:\n  name: primary\n"
        + "  url: jdbc:postgresql://127.0.0.1:1/x\njournal:\n  dir: " + journal + "\n  from:\n    http:\n"
        + "      url: http://127.0.0.1:1/\n      consumer: " + name + "\nreplicas: []\n");
  }
}
