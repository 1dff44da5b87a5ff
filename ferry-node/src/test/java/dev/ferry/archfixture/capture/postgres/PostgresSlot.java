package dev.ferry.archfixture.capture.postgres;

/** Fixture for ModuleArrowsTest: a part of one source kind's capture. */
public final class PostgresSlot {
  private PostgresSlot() {
  }

  public static long retainedBytes(String slot) {
    return slot.length();
  }
}
