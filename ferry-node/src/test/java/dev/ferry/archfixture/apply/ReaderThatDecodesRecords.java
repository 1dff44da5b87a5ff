package dev.ferry.archfixture.apply;

import dev.ferry.archfixture.journal.codec.Payloads;

/**
 * Fixture for ModuleArrowsTest: an apply class that decodes journal record payloads itself
 * instead of reading transactions through the journal's reader — the codec is the journal's own.
 */
public final class ReaderThatDecodesRecords {
  private ReaderThatDecodesRecords() {
  }

  public static byte[] read(String value) {
    return Payloads.encode(value);
  }
}
