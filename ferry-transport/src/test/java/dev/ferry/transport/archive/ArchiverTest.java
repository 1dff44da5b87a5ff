package dev.ferry.transport.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.SegmentState;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Archiving sealed segments into a directory or through a command, retried until it succeeds. */
@Timeout(60)
class ArchiverTest {
  @TempDir
  Path dir;
  @TempDir
  Path archive;

  /** A small transaction with GTID 0-1-seq. */
  static Transaction small(long seq) {
    return Transactions.accounts(seq);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(10);
    }
  }

  private static long count(Path dir, SegmentState state) {
    try {
      return JournalInspector.list(dir).stream().filter(s -> s.state() == state).count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private JournalConfig journalConfig() {
    return JournalConfig.defaults(dir).withSegmentBytes(4096).withKeepUntilShipped(true);
  }

  @Test
  void archivesSealedSegmentsIntoADirectory() throws Exception {
    try (Journal journal = Journal.open(journalConfig());
        Archiver archiver = Archiver.start(journal, ArchiveConfig.defaults()
            .withTarget(new ArchiveTarget.Directory(archive)))) {
      for (int i = 1; i <= 200; i++) {
        journal.append(small(i)).join();
      }
      await("every sealed segment is archived", () -> count(dir, SegmentState.SEALED) == 0);
    }
    for (SegmentInfo info : JournalInspector.list(dir)) {
      if (info.state() == SegmentState.ARCHIVED) {
        Path copy = archive.resolve(info.path().getFileName());
        assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(info.path()));
      }
    }
    assertThat(count(dir, SegmentState.ARCHIVED)).isGreaterThan(2);
  }

  @Test
  void runsTheArchiveCommandAndRetriesItUntilItSucceeds() throws Exception {
    Path allowed = dir.resolveSibling(dir.getFileName() + ".allow");
    String command = "test -f " + allowed + " && cp %p " + archive + "/%f";
    try (Journal journal = Journal.open(journalConfig());
        Archiver archiver = Archiver.start(journal, ArchiveConfig.defaults()
            .withTarget(new ArchiveTarget.Command(command))
            .withRetry(Duration.ofMillis(20), Duration.ofMillis(100)))) {
      for (int i = 1; i <= 40; i++) {
        journal.append(small(i)).join();
      }
      Thread.sleep(300);
      assertThat(count(dir, SegmentState.ARCHIVED)).as("archived while the command fails").isZero();
      Files.createFile(allowed);
      await("every sealed segment is archived", () -> count(dir, SegmentState.SEALED) == 0);
    }
    try (var files = Files.list(archive)) {
      assertThat(files.count()).isEqualTo(count(dir, SegmentState.ARCHIVED));
    }
  }

  @Test
  void archivesAfterARestartWhatWasSealedButNotYetArchived() throws Exception {
    try (Journal journal = Journal.open(journalConfig())) {
      for (int i = 1; i <= 200; i++) {
        journal.append(small(i)).join();
      }
    }
    long sealed = count(dir, SegmentState.SEALED);
    assertThat(sealed).isGreaterThan(1);
    try (Journal journal = Journal.open(journalConfig());
        Archiver archiver = Archiver.start(journal, ArchiveConfig.defaults()
            .withTarget(new ArchiveTarget.Directory(archive)))) {
      await("the segments sealed before are archived", () -> count(dir, SegmentState.SEALED) == 0);
    }
    assertThat(count(dir, SegmentState.ARCHIVED)).isEqualTo(sealed);
  }

  @Test
  void refusesAJournalThatDoesNotKeepSegmentsUntilShipped() throws Exception {
    try (Journal journal = Journal.open(JournalConfig.defaults(dir))) {
      assertThatThrownBy(() -> Archiver.start(journal, ArchiveConfig.defaults()
          .withTarget(new ArchiveTarget.Directory(archive))))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("keepUntilShipped");
    }
  }

  @Test
  void expandsPathAndFileNameLikePostgres() {
    Path p = Path.of("/j").resolve(SegmentFiles.sealedName(1, 3));
    assertThat(Archiver.expand("cp %p /a/%f && echo 100%%", p))
        .isEqualTo("cp " + p + " /a/" + p.getFileName() + " && echo 100%");
  }

  @Test
  void namesTheBadSetting() {
    assertThatThrownBy(() -> ArchiveConfig.defaults().withRetry(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessage("archive setting retryMax must be at least retryMin");
  }
}
