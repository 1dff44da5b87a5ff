package dev.ferry.archfixture.journal.model;

import dev.ferry.archfixture.journal.codec.Payloads;

/** Fixture for ModuleArrowsTest: a model value breaking the arrows by encoding itself with a codec. */
public record ValueThatEncodesItself(String text) {
  public byte[] bytes() {
    return Payloads.encode(text);
  }
}
