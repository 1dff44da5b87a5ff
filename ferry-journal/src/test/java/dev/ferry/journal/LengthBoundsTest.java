package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testkit.JavaProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(180)
class LengthBoundsTest {
  private static final int FIVE_HUNDRED_MIB = 500 << 20;

  @TempDir
  Path dir;

  /** One good transaction, then a checksummed TX record whose compressed payload claims {@code claimed} bytes. */
  private Path journalWithForgedRecord(int claimed) throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir))) {
      journal.append(TestData.small(1)).join();
    }
    Path open = SegmentFiles.list(dir).getLast().path();
    Forge.append(open, Forge.compressedClaiming(2, claimed));
    return open;
  }

  @ParameterizedTest(name = "claims {0} bytes")
  @ValueSource(ints = {FIVE_HUNDRED_MIB, Integer.MAX_VALUE, -1, (512 << 20) - 17})
  void aCompressedPayloadClaimingMoreThanItsBytesCanHoldIsCorruptionNamingPathAndOffset(int claimed)
      throws Exception {
    Path segment = journalWithForgedRecord(claimed);
    long forgedAt = java.nio.file.Files.size(segment) - Forge.compressedClaiming(2, claimed).length;

    try (JournalReader reader = JournalReader.openAtOldest(dir)) {
      assertThat(reader.next(Duration.ZERO)).isPresent();
      assertThatThrownBy(() -> reader.next(Duration.ZERO)).isInstanceOf(JournalCorruptionException.class)
          .hasMessageContaining(segment.toString()).hasMessageContaining("offset " + forgedAt)
          .hasMessageContaining("claims " + Integer.toUnsignedString(claimed));
    }
    assertThat(JournalVerifier.verify(dir).problems()).singleElement()
        .satisfies(p -> assertThat(p.offset()).isEqualTo(forgedAt))
        .satisfies(p -> assertThat(p.message()).contains("claims " + Integer.toUnsignedString(claimed)));
  }

  @Test
  void aForgedFiveHundredMebibyteClaimIsRejectedByReadingAndVerifyingInASixtyFourMebibyteHeap()
      throws Exception {
    journalWithForgedRecord(FIVE_HUNDRED_MIB);
    for (String mode : List.of("read", "verify")) {
      try (JavaProcess p = JavaProcess.start(ReadJournalMain.class, List.of("-Xmx64m"), mode, dir.toString())) {
        int exit = p.awaitExit(Duration.ofMinutes(2));
        assertThat(p.output()).as(mode).doesNotContain("OutOfMemoryError").contains("claims " + FIVE_HUNDRED_MIB);
        assertThat(exit).as(mode + ": " + p.output()).isEqualTo(mode.equals("read") ? 3 : 4);
      }
    }
  }

  @Test
  void aChecksummedRecordOfAnUnknownTypeIsCorruptionEvenAtTheEndOfTheOpenSegment() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir))) {
      journal.append(TestData.small(1)).join();
    }
    Path open = SegmentFiles.list(dir).getLast().path();
    byte[] payload = Forge.payloadOf(TestData.small(2));
    Forge.append(open, Forge.frame(9, 0, 0, 1, 2, payload));

    try (JournalReader reader = JournalReader.openAtOldest(dir)) {
      assertThat(reader.next(Duration.ZERO)).isPresent();
      assertThatThrownBy(() -> reader.next(Duration.ZERO)).isInstanceOf(JournalCorruptionException.class)
          .hasMessageContaining("unknown record type 9");
    }
    assertThat(JournalVerifier.verify(dir).problems()).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("unknown record type 9"));
    assertThatThrownBy(() -> Journal.open(Journals.config(dir))).isInstanceOf(JournalCorruptionException.class)
        .hasMessageContaining("unknown record type 9").hasMessageContaining("refusing to truncate");
  }
}
