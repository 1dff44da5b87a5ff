package dev.ferry.archfixture.journal.codec;

import dev.ferry.archfixture.journal.Segments;

/** Fixture for ModuleArrowsTest: a codec breaking the arrows by asking the segment engine for its format version. */
public final class CodecThatAsksTheEngine {
  public int version() {
    return Segments.formatVersion();
  }
}
