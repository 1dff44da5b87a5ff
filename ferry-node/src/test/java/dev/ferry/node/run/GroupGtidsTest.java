package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupGtidsTest {
  @Test
  void aCommittedGroupAddsEveryGtidOfItNotOnlyItsLast() {
    GroupGtids group = new GroupGtids();
    GtidSet applied = GtidSet.parse("0:202");
    for (long seq = 203; seq <= 264; seq++) {
      group.add(new Gtid(0, 1, seq));
    }
    applied = group.addTo(applied);
    group.clear();
    assertThat(applied).hasToString("0:264");
    for (long seq = 265; seq <= 455; seq++) {
      group.add(new Gtid(0, 1, seq));
    }
    assertThat(group.last()).isEqualTo(new Gtid(0, 1, 455));
    assertThat(group.addTo(applied)).hasToString("0:455");
  }

  @Test
  void aGroupSpanningDomainsAndGapsKeepsEachRunAndTheNewestOfEachDomain() {
    GroupGtids group = new GroupGtids();
    for (Gtid g : List.of(new Gtid(0, 1, 5), new Gtid(0, 1, 6), new Gtid(1, 3, 2), new Gtid(0, 2, 9), new Gtid(0, 2, 10))) {
      group.add(g);
    }
    assertThat(group.addTo(GtidSet.parse("0:4"))).hasToString("0:6:9-10,1:0:2");
    assertThat(group.addTo(List.of(new Gtid(0, 1, 4)))).containsExactly(new Gtid(0, 2, 10), new Gtid(1, 3, 2));
    assertThat(group.last()).isEqualTo(new Gtid(0, 2, 10));
    group.clear();
    assertThat(group.isEmpty()).isTrue();
    assertThat(group.addTo(GtidSet.parse("0:4"))).hasToString("0:4");
  }
}
