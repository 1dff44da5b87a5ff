package dev.ferry.e2e;

/** {@link RepointToPromotedRefused} with C re-pointed to B over HTTP: C downloads from B. */
class RepointOverHttpRefusedTest extends RepointToPromotedRefused {
  @Override
  boolean push() {
    return false;
  }
}
