package dev.ferry.archfixture.sql;

import dev.ferry.archfixture.apply.Applier;

/** Fixture for ModuleArrowsTest: an error classifier breaking the arrows by depending on apply. */
public final class ClassifierThatApplies {
  void classify(Applier applier) {
    applier.apply();
  }
}
