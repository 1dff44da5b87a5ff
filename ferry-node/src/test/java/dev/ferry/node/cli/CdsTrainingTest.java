package dev.ferry.node.cli;

import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

/**
 * The class data sharing training ({@link CdsTraining}) reads its sample status document and
 * writes it as JSON and text without an error: a status document that changes shape must change
 * the sample too, or the short commands' archive would silently lose Jackson's classes again
 * ({@code LauncherCdsTest} shows the archive holding them).
 */
class CdsTrainingTest {
  @Test
  void theSampleStatusDocumentIsReadAndWrittenAsJsonAndText() {
    assertThatCode(CdsTraining::run).doesNotThrowAnyException();
  }
}
