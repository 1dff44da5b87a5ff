package dev.ferry.archfixture.journal.codec;

/** Fixture for ModuleArrowsTest: stands for a codec class. */
public final class Payloads {
  private Payloads() {
  }

  public static byte[] encode(String value) {
    return value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
