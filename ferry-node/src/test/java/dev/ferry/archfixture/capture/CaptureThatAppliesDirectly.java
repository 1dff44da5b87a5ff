package dev.ferry.archfixture.capture;

import dev.ferry.archfixture.apply.Applier;

/** Fixture for ModuleArrowsTest: a capture class breaking the arrows by calling apply. */
public final class CaptureThatAppliesDirectly {
  void capture(Applier applier) {
    applier.apply();
  }
}
