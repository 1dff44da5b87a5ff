package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Format version 2 only added change kind 8; version 3 added logical column types and richer
 * source positions. A version-1 journal (the committed fixture, see
 * {@code src/test/resources/journals}) reads, verifies and continues with this version.
 */
@Timeout(120)
class FormatVersionTest {
  @TempDir
  Path dir;

  @Test
  void versionOneJournalIsReadVerifiedAndContinuedByThisVersion() throws Exception {
    try (var files = Files.list(OldJournalsTest.fixture(1))) {
      for (Path f : files.toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    assertThat(Files.readAllLines(dir.resolve(SegmentFiles.ID_FILE)).getFirst()).isEqualTo("ferry-journal 1");
    List<Transaction> written = new ArrayList<>(OldJournalFixtures.expected(1));
    assertThat(Journals.readAll(dir)).containsExactlyElementsOf(written);
    assertThat(JournalVerifier.verify(dir).problems()).isEmpty();

    Transaction nested = new Transaction(written.getLast().gtid().next(), written.getLast().commitTime(), 9,
        SourcePosition.NONE, List.of(new Change.Ddl("alter table t add c int", "public", 9,
            Optional.of("do $$ begin alter table t add c int; end $$"))));
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(64 << 10))) {
      Journals.appendAll(journal, List.of(nested));
    }
    written.add(nested);
    assertThat(Journals.readAll(dir)).containsExactlyElementsOf(written);
    assertThat(JournalVerifier.verify(dir).problems()).isEmpty();
  }
}
