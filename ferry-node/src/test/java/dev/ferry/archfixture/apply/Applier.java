package dev.ferry.archfixture.apply;

/** Fixture for ModuleArrowsTest: stands for an apply class. */
public final class Applier {
  public void apply() {}
}
