package dev.ferry.journal;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Journals written by older Ferry versions (committed under {@code src/test/resources/journals},
 * see the README there) read, verify and continue with this code.
 */
@Timeout(120)
class OldJournalsTest {
  @TempDir
  Path dir;

  @ParameterizedTest(name = "format version {0}")
  @ValueSource(ints = {1, 2})
  void committedJournalReadsEveryTransactionBack(int version) throws Exception {
    copyFixture(version);
    assertThat(Journals.readAll(dir)).containsExactlyElementsOf(OldJournalFixtures.expected(version));
    assertThat(JournalVerifier.verify(dir).problems()).isEmpty();
  }

  @ParameterizedTest(name = "format version {0}")
  @ValueSource(ints = {1, 2})
  void committedJournalIsContinuedByThisVersion(int version) throws Exception {
    copyFixture(version);
    List<Transaction> expected = new ArrayList<>(OldJournalFixtures.expected(version));
    Transaction last = expected.getLast();
    Transaction next = new Transaction(new Gtid(0, 1, last.gtid().seq() + 1), Instant.ofEpochSecond(1_800_000_000L),
        last.schemaSequence(), SourcePosition.changeId(7), TestData.small(1).changes());
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(OldJournalFixturesWriter.SEGMENT_BYTES))) {
      journal.append(next).join();
    }
    expected.add(next);
    assertThat(Journals.readAll(dir)).containsExactlyElementsOf(expected);
    assertThat(JournalVerifier.verify(dir).problems()).isEmpty();
  }

  private void copyFixture(int version) throws Exception {
    Path fixture = fixture(version);
    try (var files = Files.list(fixture)) {
      for (Path f : files.toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
  }

  static Path fixture(int version) throws URISyntaxException {
    URL url = OldJournalsTest.class.getResource("/journals/v" + version);
    assertThat(url).as("fixture journal of format version %d on the test class path", version).isNotNull();
    return Path.of(url.toURI());
  }
}
