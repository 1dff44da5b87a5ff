package dev.ferry.archfixture.node.cli;

import dev.ferry.archfixture.capture.postgres.PostgresSlot;

/** Fixture for ModuleArrowsTest: a node command that asks one source kind's capture instead of the source spec. */
public final class StatusThatAsksPostgres {
  public long walBytes(String slot) {
    return PostgresSlot.retainedBytes(slot);
  }
}
