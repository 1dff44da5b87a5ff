package dev.ferry.e2e;

/** {@link RepointToPromotedRefused} with C re-pointed to B over TCP push: B pushes to C, which listens. */
class RepointOverPushRefusedTest extends RepointToPromotedRefused {
  @Override
  boolean push() {
    return true;
  }
}
