package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.LogicalType;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
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
 * see the README there) read, verify and continue with this code; a continued journal of an older
 * format gets its open segment sealed and new segments in this code's format.
 */
@Timeout(120)
class OldJournalsTest {
  @TempDir
  Path dir;

  @ParameterizedTest(name = "format version {0}")
  @ValueSource(ints = {1, 2, 3, 4})
  void committedJournalReadsEveryTransactionBack(int version) throws Exception {
    copyFixture(version);
    assertThat(Journals.readAll(dir)).containsExactlyElementsOf(OldJournalFixtures.expected(version));
    assertThat(JournalVerifier.verify(dir).problems()).isEmpty();
  }

  @ParameterizedTest(name = "format version {0}")
  @ValueSource(ints = {1, 2})
  void columnsOfFormatsWithoutLogicalTypesGetThemFromTheirPostgresTypeOidOrName(int version) throws Exception {
    copyFixture(version);
    Change.Insert pg = (Change.Insert) Journals.readAll(dir).getFirst().changes().getFirst();
    assertThat(pg.columns()).extracting(Column::logicalType).containsExactly(LogicalType.INT64,
        LogicalType.BOOLEAN, LogicalType.INT16, LogicalType.INT32, LogicalType.DECIMAL, LogicalType.FLOAT32,
        LogicalType.FLOAT64, LogicalType.TEXT, LogicalType.TEXT, LogicalType.BYTES, LogicalType.DATE,
        LogicalType.TIME, LogicalType.TIMESTAMP, LogicalType.TIMESTAMPTZ, LogicalType.UUID, LogicalType.JSON,
        LogicalType.JSON, LogicalType.INTERVAL, LogicalType.ARRAY, LogicalType.OTHER);
    // What apply switched on for SQLite columns then: PostgreSQL's names, so INTEGER and REAL match.
    Change.Insert lite = (Change.Insert) Journals.readAll(dir).get(2).changes().getFirst();
    assertThat(lite.columns()).extracting(Column::logicalType).containsExactly(LogicalType.INT32, LogicalType.TEXT,
        LogicalType.FLOAT32, LogicalType.OTHER, LogicalType.DECIMAL, LogicalType.BOOLEAN, LogicalType.OTHER,
        LogicalType.OTHER);
  }

  @ParameterizedTest(name = "format version {0}")
  @ValueSource(ints = {1, 2, 3, 4})
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
    SegmentFiles.SegmentFile newest = SegmentFiles.list(dir).getLast();
    try (FrameReader frames = FrameReader.open(newest.path(), newest.number(), JournalIdentity.read(dir), false)
        .orElseThrow()) {
      assertThat(frames.header.version()).as("format of the segment appended to").isEqualTo(SegmentFormat.VERSION);
    }
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
