package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SegmentFilesTest {
  private final Path dir = Path.of("/j");

  @Test
  void openAndSealedNamesSortByNumberAndParseBack() {
    String open = SegmentFiles.openName(7);
    String sealed = SegmentFiles.sealedName(6, 1234);
    assertThat(open).isEqualTo("00000000000000000007.open");
    assertThat(sealed).isEqualTo("00000000000000000006-00000000000000001234.seg");
    assertThat(sealed).isLessThan(open);
    assertThat(SegmentFiles.parse(dir.resolve(open))).hasValueSatisfying(f -> {
      assertThat(f.number()).isEqualTo(7);
      assertThat(f.open()).isTrue();
    });
    assertThat(SegmentFiles.parse(dir.resolve(sealed))).hasValueSatisfying(f -> {
      assertThat(f.number()).isEqualTo(6);
      assertThat(f.recordCount()).isEqualTo(1234);
    });
  }

  @Test
  void tellsOpenFromSealedSegmentsAndFromOtherFiles() {
    assertThat(SegmentFiles.isOpenSegment(dir.resolve(SegmentFiles.openName(1)))).isTrue();
    assertThat(SegmentFiles.isSealedSegment(dir.resolve(SegmentFiles.openName(1)))).isFalse();
    assertThat(SegmentFiles.isSealedSegment(dir.resolve(SegmentFiles.sealedName(1, 2)))).isTrue();
    assertThat(SegmentFiles.isOpenSegment(SegmentFiles.idFile(dir))).isFalse();
    assertThat(SegmentFiles.isSealedSegment(DurableFiles.tempFileOf(dir.resolve(SegmentFiles.sealedName(1, 2)))))
        .as("a half-written copy is no segment").isFalse();
    assertThat(SegmentFiles.parse(dir.resolve("00000000000000000001Xopen"))).isEmpty();
  }

  @Test
  void aNameWithANumberBeyondALongIsNoSegment() {
    Path huge = dir.resolve("99999999999999999999-00000000000000000001.seg");
    Path hugeCount = dir.resolve("00000000000000000001-99999999999999999999.seg");
    for (Path p : java.util.List.of(huge, hugeCount)) {
      assertThat(SegmentFiles.isSealedSegment(p)).as("%s", p).isFalse();
      assertThat(SegmentFiles.sealedNumber(p)).isEmpty();
      assertThat(SegmentFiles.sealedRecordCount(p)).isEmpty();
    }
    assertThat(SegmentFiles.isOpenSegment(dir.resolve("99999999999999999999.open"))).isFalse();
  }

  @Test
  void namesTheJournalsOtherFilesAsTheFormatDocumentSays() {
    assertThat(SegmentFiles.idFile(dir)).isEqualTo(dir.resolve("journal.id"));
    assertThat(SegmentFiles.lockFile(dir)).isEqualTo(dir.resolve("journal.lock"));
    assertThat(SegmentFiles.purgedFile(dir)).isEqualTo(dir.resolve("purged"));
    assertThat(SegmentFiles.consumerFile(dir, "pg")).isEqualTo(dir.resolve("consumers/pg.pos"));
    assertThat(SegmentFiles.archiveMarker(dir, SegmentFiles.sealedName(3, 9)))
        .isEqualTo(dir.resolve("archive_status/00000000000000000003-00000000000000000009.seg.done"));
  }
}
