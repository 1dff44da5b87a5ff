package dev.ferry.node.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which replica node {@code ferry failover} promotes, and what it says of the others. */
class FailoverChoiceTest {

  @Test
  void choosesTheNodeThatContainsEveryOtherAndSaysWhatEachLacks() {
    FailoverChoice.Node b = node("b.yaml", "0:420", copy(1, 300, 420));
    FailoverChoice.Node c = node("c.yaml", "0:270", copy(1, 200, 270));
    FailoverChoice.Node d = node("d.yaml", "0:100", copy(1, 90, 100));

    FailoverChoice.Plan plan = FailoverChoice.choose(List.of(c, d, b));

    assertThat(plan.chosen().name()).isEqualTo("b.yaml");
    assertThat(plan.containsAll()).isTrue();
    assertThat(plan.holes()).isEmpty();
    FailoverChoice.Verdict onC = plan.others().get(0);
    assertThat(onC.node()).isEqualTo("c.yaml");
    assertThat(onC.lacks()).hasToString("[0-1-271..0-1-420]");
    assertThat(onC.canFollow()).as("b's copy still holds 300..420, but not 271..299").isFalse();
    assertThat(onC.notServed()).hasToString("[0-1-271..0-1-299]");
    FailoverChoice.Verdict onD = plan.others().get(1);
    assertThat(onD.contained()).isTrue();
    assertThat(onD.notServed()).hasToString("[0-1-101..0-1-299]");
  }

  @Test
  void aNodeWhoseCopyKeepsWhatTheOthersLackCanBeFollowed() {
    FailoverChoice.Node b = node("b.yaml", "0:420", copy(1, 1, 420));
    FailoverChoice.Node c = node("c.yaml", "0:270", copy(1, 200, 270));

    FailoverChoice.Plan plan = FailoverChoice.choose(List.of(c, b));

    assertThat(plan.chosen().name()).isEqualTo("b.yaml");
    assertThat(plan.others().get(0).canFollow()).isTrue();
    assertThat(plan.others().get(0).onlyHere()).isEmpty();
  }

  @Test
  void whenNoNodeContainsAllOthersThePlanSaysWhatIsLostAndWhere() {
    // c applied out of order (relaxed parallel apply) and its copy lost nothing: 0:100:102-150 holds all but 101
    FailoverChoice.Node b = node("b.yaml", "0:120", copy(1, 90, 120));
    FailoverChoice.Node c = node("c.yaml", "0:100:102-150", copy(1, 95, 100, 102, 150));

    FailoverChoice.Plan plan = FailoverChoice.choose(List.of(b, c));

    assertThat(plan.containsAll()).isFalse();
    assertThat(plan.chosen().name()).as("loses 1 GTID (0-1-101) rather than 30 (0-1-121..0-1-150)")
        .isEqualTo("c.yaml");
    FailoverChoice.Verdict onB = plan.others().get(0);
    assertThat(onB.onlyHere()).hasToString("[0-1-101]");
    assertThat(onB.canFollow()).isFalse();
    assertThat(plan.holes()).as("b holds the hole of c").isEmpty();
    FailoverChoice.Plan other = FailoverChoice.planFor(b, List.of(b, c));
    assertThat(other.containsAll()).isFalse();
    assertThat(other.others().get(0).onlyHere()).hasToString("[0-1-121..0-1-150]");
  }

  @Test
  void aHoleNoNodeHoldsIsNamedButDoesNotKeepTheNodeFromContainingTheOthers() {
    FailoverChoice.Node b = node("b.yaml", "0:100:102-150", copy(1, 95, 100, 102, 150));
    FailoverChoice.Node c = node("c.yaml", "0:100", copy(1, 95, 100));

    FailoverChoice.Plan plan = FailoverChoice.choose(List.of(c, b));

    assertThat(plan.chosen().name()).isEqualTo("b.yaml");
    assertThat(plan.containsAll()).isTrue();
    assertThat(plan.holes()).hasToString("[0-1-101]");
  }

  @Test
  void aNodeHoldingOtherContentUnderTheSameGtidsIsNotContained() {
    // b was promoted earlier and continued after 0-1-21 as server 2; c received more of the old primary's history
    List<Divergence.Tx> ofB = copy(1, 1, 21);
    ofB.addAll(copy(2, 22, 31));
    FailoverChoice.Node b = node("b.yaml", "0:31", ofB);
    FailoverChoice.Node c = node("c.yaml", "0:51", copy(1, 1, 51));

    FailoverChoice.Plan plan = FailoverChoice.choose(List.of(b, c));

    assertThat(plan.containsAll()).as("c holds more, but 0-1-22 is not b's 0-2-22").isFalse();
    assertThat(plan.chosen().name()).isEqualTo("c.yaml");
    FailoverChoice.Verdict onB = plan.others().get(0);
    assertThat(onB.onlyHere()).isEmpty();
    assertThat(onB.conflict()).isPresent();
    assertThat(onB.conflict().get().theirs()).isEqualTo(new Gtid(0, 2, 22));
    assertThat(onB.conflict().get().chosen()).isEqualTo(new Gtid(0, 1, 22));
    assertThat(onB.canFollow()).isFalse();
  }

  @Test
  void sameGtidsWithOtherChecksumsAreAnotherHistory() {
    List<Divergence.Tx> other = copy(1, 1, 50);
    other.set(40, new Divergence.Tx(new Gtid(0, 1, 41), 999));
    FailoverChoice.Node b = node("b.yaml", "0:50", copy(1, 1, 50));
    FailoverChoice.Node c = node("c.yaml", "0:50", other);

    FailoverChoice.Plan plan = FailoverChoice.choose(List.of(b, c));

    assertThat(plan.containsAll()).isFalse();
    assertThat(plan.others().get(0).conflict().orElseThrow().theirs()).isEqualTo(new Gtid(0, 1, 41));
  }

  @Test
  void equalNodesAllContainEachOtherAndTheFirstGivenIsChosen() {
    FailoverChoice.Node b = node("b.yaml", "0:80", copy(1, 1, 80));
    FailoverChoice.Node c = node("c.yaml", "0:80", copy(1, 1, 80));
    FailoverChoice.Node d = node("d.yaml", "0:80", copy(1, 1, 80));

    FailoverChoice.Plan plan = FailoverChoice.choose(List.of(c, b, d));

    assertThat(plan.chosen().name()).isEqualTo("c.yaml");
    assertThat(plan.containsAll()).isTrue();
    assertThat(plan.others()).allSatisfy(v -> {
      assertThat(v.lacks()).isEmpty();
      assertThat(v.canFollow()).isTrue();
    });
  }

  @Test
  void theSetArithmeticKeepsHolesAndDomains() {
    GtidSet a = GtidSet.parse("0:10:12-20,3:5");
    GtidSet b = GtidSet.parse("0:15,3:2");
    assertThat(FailoverChoice.intersection(a, b)).hasToString("0:10:12-15,3:2");
    assertThat(FailoverChoice.union(a, b)).hasToString("0:20,3:5");
    assertThat(FailoverChoice.minus(a, b)).hasToString("[Run[domain=0, from=16, to=20], Run[domain=3, from=3, to=5]]");
  }

  private static FailoverChoice.Node node(String name, String history, List<Divergence.Tx> copy) {
    return new FailoverChoice.Node(name, GtidSet.parse(history), copy);
  }

  /** Transactions of server {@code server}, seq in the given inclusive ranges; checksum = seq. */
  private static List<Divergence.Tx> copy(long server, long... ranges) {
    List<Divergence.Tx> txs = new ArrayList<>();
    for (int i = 0; i < ranges.length; i += 2) {
      for (long s = ranges[i]; s <= ranges[i + 1]; s++) {
        txs.add(new Divergence.Tx(new Gtid(0, server, s), s * 31 + server));
      }
    }
    return txs;
  }
}
