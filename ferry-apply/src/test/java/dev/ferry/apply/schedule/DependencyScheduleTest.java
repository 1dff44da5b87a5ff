package dev.ferry.apply.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.TableFilter;
import dev.ferry.journal.model.Transaction;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property: for a seeded random workload ({@link ModelWorkload}: deletes and re-inserts of one key,
 * update chains, key and unique-value moves, a keyless table, TRUNCATE and DDL in the middle), every
 * schedule the {@link DependencyTracker} allows — units of one to three transactions admitted in
 * journal order, each run after the units it waits for committed, otherwise in random order —
 * replays without a refusal and ends in the state serial replay gives. The seed is in each test's
 * name; a failure names it and the schedule.
 */
class DependencyScheduleTest {
  private static final int TRANSACTIONS = 300;

  static LongStream seeds() {
    return LongStream.rangeClosed(1, 40);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void everyAllowedScheduleEndsAsSerialApplyDoes(long seed) throws SQLException {
    ModelWorkload workload = new ModelWorkload(seed);
    List<Transaction> txs = workload.transactions(TRANSACTIONS);
    ModelWorkload.State serial = new ModelWorkload.State();
    txs.forEach(tx -> ModelWorkload.replay(tx, serial));
    assertThat(serial.digest()).as("serial replay of seed %d ends where the source did", seed)
        .isEqualTo(workload.state().digest());

    for (int schedule = 0; schedule < 5; schedule++) {
      SplittableRandom random = new SplittableRandom(seed * 1000 + schedule);
      Outcome outcome = run(txs, ModelWorkload.catalog(true), random, true);
      assertThat(outcome.refusal()).as("seed %d schedule %d: %s", seed, schedule, outcome.order()).isEmpty();
      assertThat(outcome.state().digest()).as("seed %d schedule %d: %s", seed, schedule, outcome.order())
          .isEqualTo(serial.digest());
    }
  }

  /**
   * The property has power: a tracker that waits for nothing, or one that does not know the unique
   * key on {@code par_a.email}, breaks it for some seed.
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"waits ignored", "unique key unknown"})
  void schedulesThatIgnoreDependenciesBreakTheProperty(String weakness) throws SQLException {
    boolean uniqueKnown = weakness.equals("waits ignored");
    int broken = 0;
    for (long seed = 1; seed <= 40; seed++) {
      ModelWorkload workload = new ModelWorkload(seed);
      List<Transaction> txs = workload.transactions(TRANSACTIONS);
      Outcome outcome = run(txs, ModelWorkload.catalog(uniqueKnown), new SplittableRandom(seed), !uniqueKnown);
      if (outcome.refusal().isPresent() || !outcome.state().digest().equals(workload.state().digest())) {
        broken++;
      }
    }
    assertThat(broken).as("seeds of 40 where the weakened schedule diverged").isPositive();
  }

  private record Outcome(ModelWorkload.State state, java.util.Optional<String> refusal, List<Long> order) {
  }

  /**
   * Admits units in order and runs ready ones in random order, interleaved; {@code honourWaits}
   * false runs any admitted unit (a tracker that allows everything).
   */
  private static Outcome run(List<Transaction> txs, WriteKeys.Catalog catalog, SplittableRandom random,
      boolean honourWaits) throws SQLException {
    List<List<Transaction>> units = new ArrayList<>();
    for (int i = 0; i < txs.size(); ) {
      int size = Math.min(1 + random.nextInt(3), txs.size() - i);
      units.add(txs.subList(i, i + size));
      i += size;
    }
    DependencyTracker tracker = new DependencyTracker();
    List<Set<Long>> waits = new ArrayList<>();
    Set<Long> done = new HashSet<>();
    List<Long> order = new ArrayList<>();
    ModelWorkload.State state = new ModelWorkload.State();
    int admitted = 0;
    while (done.size() < units.size()) {
      List<Long> ready = new ArrayList<>();
      for (long u = 0; u < admitted; u++) {
        if (!done.contains(u) && (!honourWaits || done.containsAll(waits.get((int) u)))) {
          ready.add(u);
        }
      }
      if (admitted < units.size() && (ready.isEmpty() || random.nextInt(3) == 0)) {
        WriteKeys keys = new WriteKeys(false, Set.of(), Set.of());
        for (Transaction tx : units.get(admitted)) {
          keys = keys.union(WriteKeys.of(tx, TableFilter.ALL, catalog, WriteKeys.DEFAULT_MAX_CHANGES));
        }
        waits.add(tracker.admit(admitted, keys));
        admitted++;
        continue;
      }
      long unit = ready.get(random.nextInt(ready.size()));
      order.add(unit);
      try {
        units.get((int) unit).forEach(tx -> ModelWorkload.replay(tx, state));
      } catch (IllegalStateException refused) {
        return new Outcome(state, java.util.Optional.of(refused.getMessage()), order);
      }
      done.add(unit);
      tracker.committed(unit);
    }
    return new Outcome(state, java.util.Optional.empty(), order);
  }
}
