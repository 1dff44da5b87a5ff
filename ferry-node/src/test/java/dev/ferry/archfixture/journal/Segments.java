package dev.ferry.archfixture.journal;

/** Fixture for ModuleArrowsTest: stands for a class of the segment engine. */
public final class Segments {
  private Segments() {
  }

  public static int formatVersion() {
    return 4;
  }
}
