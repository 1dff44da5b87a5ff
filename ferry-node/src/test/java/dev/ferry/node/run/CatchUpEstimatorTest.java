package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The catch-up estimate a replica behind the journal's head shows in status: rates over the last
 * ten seconds, the lag over their difference, nothing when caught up or not gaining.
 */
class CatchUpEstimatorTest {
  private static final Instant T0 = Instant.parse("2026-12-06T22:00:00Z");

  private static Instant at(double seconds) {
    return T0.plusMillis(Math.round(seconds * 1000));
  }

  @Test
  void aReplicaApplyingFasterThanTheJournalGrowsIsCaughtUpAtTheLagOverTheDifferenceOfTheRates() {
    CatchUpEstimator e = new CatchUpEstimator();
    assertThat(e.observe(at(0), 0, 10_000)).as("one sample measures no rate").isEmpty();
    // 1000 applied/s, 200 incoming/s: the lag falls by 800/s.
    for (int s = 1; s <= 5; s++) {
      e.observe(at(s), 1000L * s, 10_000 - 800L * s);
    }
    Optional<NodeStatus.CatchUp> c = e.observe(at(6), 6000, 10_000 - 4800);
    assertThat(c).contains(new NodeStatus.CatchUp(1000, 200, Optional.of(7L))); // 5200 / 800 = 6.5, rounded up
  }

  @Test
  void noEstimateBeforeTheSamplesSpanThreeSeconds() {
    CatchUpEstimator e = new CatchUpEstimator();
    e.observe(at(0), 0, 1000);
    e.observe(at(1), 100, 900);
    assertThat(e.observe(at(2.5), 250, 750)).isEmpty();
    assertThat(e.observe(at(3), 300, 700)).isPresent();
  }

  @Test
  void aReplicaThatIsNotGainingHasRatesButNoTimeLeft() {
    CatchUpEstimator e = new CatchUpEstimator();
    for (int s = 0; s <= 4; s++) {
      e.observe(at(s), 100L * s, 1000 + 50L * s); // applies 100/s, 150/s come in
    }
    assertThat(e.observe(at(5), 500, 1250)).contains(new NodeStatus.CatchUp(100, 150, Optional.empty()));
    CatchUpEstimator suspended = new CatchUpEstimator();
    suspended.observe(at(0), 0, 10);
    assertThat(suspended.observe(at(4), 0, 10)).contains(new NodeStatus.CatchUp(0, 0, Optional.empty()));
  }

  @Test
  void aReplicaCaughtUpHasNoEstimate() {
    CatchUpEstimator e = new CatchUpEstimator();
    e.observe(at(0), 0, 500);
    assertThat(e.observe(at(4), 500, 0)).isEmpty();
  }

  @Test
  void onlyTheLastTenSecondsCount() {
    CatchUpEstimator e = new CatchUpEstimator();
    // A minute suspended while 1000 transactions a second came in, then 1000/s applied and none came in.
    long applied = 0;
    long behind = 0;
    for (int s = 0; s <= 60; s++) {
      behind = 1000L * s;
      e.observe(at(s), applied, behind);
    }
    for (int s = 61; s <= 100; s++) {
      applied += 1000;
      behind -= 1000;
      e.observe(at(s), applied, behind);
    }
    assertThat(e.observe(at(100), applied, behind)).contains(new NodeStatus.CatchUp(1000, 0, Optional.of(behind / 1000)));
  }

  @Test
  void callsWithinASecondOfTheLastSampleDoNotCrowdTheWindow() {
    CatchUpEstimator e = new CatchUpEstimator();
    e.observe(at(0), 0, 1000);
    for (int i = 1; i < 100; i++) {
      e.observe(at(i / 100.0), 0, 1000); // many readers of the status in the same second
    }
    e.observe(at(2), 200, 800);
    assertThat(e.observe(at(4), 400, 600)).contains(new NodeStatus.CatchUp(100, 0, Optional.of(6L)));
  }

  @Test
  void aReplicaCommittingAGroupEveryTenSecondsShowsItsRateBetweenTheGroupCommits() {
    CatchUpEstimator e = new CatchUpEstimator();
    // 5,000 behind, nothing coming in; a group of 1,000 committed at 10 s, 20 s, 30 s.
    for (int s = 0; s <= 34; s++) {
      long applied = 1000L * (s / 10);
      Optional<NodeStatus.CatchUp> c = e.observe(at(s), applied, 5000 - applied);
      if (s >= 10) {
        assertThat(c).as("at %d s", s).isPresent();
        assertThat(c.get().applyRate()).as("at %d s", s).isBetween(1000 / 15.0, 1000 / 9.0);
        assertThat(c.get().etaSeconds()).as("at %d s", s).isPresent();
      }
    }
  }

  @Test
  void aReplicaThatStopsApplyingShowsNoRateAMinuteLater() {
    CatchUpEstimator e = new CatchUpEstimator();
    for (int s = 0; s <= 10; s++) {
      e.observe(at(s), 100L * s, 1000);
    }
    Optional<NodeStatus.CatchUp> c = Optional.empty();
    for (int s = 11; s <= 75; s++) { // suspended at 10 s
      c = e.observe(at(s), 1000, 1000 + 10L * (s - 10));
    }
    assertThat(c).contains(new NodeStatus.CatchUp(0, 10, Optional.empty()));
  }
}
