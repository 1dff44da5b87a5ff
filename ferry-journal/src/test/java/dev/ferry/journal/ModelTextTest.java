package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Value;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelTextTest {
  static List<Long> seeds() {
    return List.of(1L, 2L, 3L, 42L, 4711L);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void idsAndPositionsRoundTripThroughText(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    TestData data = new TestData(seed);
    for (int i = 0; i < 1000; i++) {
      Gtid gtid = new Gtid(random.nextLong(1L << 32), random.nextLong(1L << 32), random.nextLong(Long.MAX_VALUE));
      assertThat(Gtid.parse(gtid.toString())).isEqualTo(gtid);
      JournalPosition position = new JournalPosition(random.nextLong(1, Long.MAX_VALUE), random.nextLong(Long.MAX_VALUE));
      assertThat(JournalPosition.parse(position.toString())).isEqualTo(position);
      SourcePosition source = data.sourcePosition();
      assertThat(SourcePosition.parse(source.toString())).isEqualTo(source);
      assertThat(SourcePosition.parse(source.toString()).compareTo(source)).isZero();
      TableId table = new TableId(data.text(), "n" + data.text());
      assertThat(TableId.parse(table.toString())).isEqualTo(table);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void gtidSetAgreesWithAPlainSetAndRoundTripsThroughText(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    GtidSet set = GtidSet.empty();
    TreeSet<Gtid> reference = new TreeSet<>();
    for (int i = 0; i < 400; i++) {
      Gtid gtid = new Gtid(random.nextInt(3), random.nextInt(1, 3), random.nextLong(1, 120));
      set = set.add(gtid);
      reference.add(new Gtid(gtid.domain(), 0, gtid.seq()));
      assertThat(GtidSet.parse(set.toString())).isEqualTo(set);
      assertThat(GtidSet.parse(set.toString()).toString()).isEqualTo(set.toString());
    }
    for (long domain = 0; domain < 3; domain++) {
      for (long seq = 1; seq < 130; seq++) {
        assertThat(set.contains(new Gtid(domain, 7, seq)))
            .as("%s contains %d-?-%d", set, domain, seq)
            .isEqualTo(reference.contains(new Gtid(domain, 0, seq)));
      }
    }
    assertThat(inHoles(set)).as("holes of %s", set).isEqualTo(missingBelowHighest(reference));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void addingARangeEqualsAddingEachGtidOfIt(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    GtidSet byRange = GtidSet.empty();
    GtidSet byGtid = GtidSet.empty();
    for (int i = 0; i < 300; i++) {
      long domain = random.nextInt(2);
      long from = random.nextLong(1, 200);
      long to = from + random.nextLong(0, 6);
      byRange = byRange.addRange(domain, from, to);
      for (long seq = from; seq <= to; seq++) {
        byGtid = byGtid.add(new Gtid(domain, 1, seq));
      }
      assertThat(byRange).as("after adding %d:%d-%d", domain, from, to).isEqualTo(byGtid);
      assertThat(byRange.toString()).isEqualTo(byGtid.toString());
    }
    assertThatThrownBy(() -> GtidSet.empty().addRange(0, 5, 4)).hasMessageContaining("5..4");
  }

  private static TreeSet<Gtid> inHoles(GtidSet set) {
    TreeSet<Gtid> missing = new TreeSet<>();
    for (GtidSet.Hole h : set.holes()) {
      for (long seq = h.from(); seq <= h.to(); seq++) {
        missing.add(new Gtid(h.domain(), 0, seq));
      }
    }
    return missing;
  }

  private static TreeSet<Gtid> missingBelowHighest(TreeSet<Gtid> present) {
    TreeSet<Gtid> missing = new TreeSet<>();
    for (Gtid g : present) {
      for (long seq = 1; seq < g.seq(); seq++) {
        Gtid below = new Gtid(g.domain(), 0, seq);
        if (!present.contains(below)) {
          missing.add(below);
        }
      }
    }
    return missing;
  }

  @Test
  void gtidSetKeepsALowWaterMarkAndTheHolesAboveIt() {
    GtidSet set = GtidSet.empty();
    for (long seq : new long[] {1, 2, 3, 5, 6, 9}) {
      set = set.add(new Gtid(0, 1, seq));
    }
    assertThat(set.toString()).isEqualTo("0:3:5-6:9");
    assertThat(set.lowWaterMark(0)).isEqualTo(3);
    assertThat(set.hasHoles(0)).isTrue();
    assertThat(set.holes()).containsExactly(new GtidSet.Hole(0, 4, 4), new GtidSet.Hole(0, 7, 8));
    set = set.add(new Gtid(0, 2, 4)).add(new Gtid(0, 1, 7)).add(new Gtid(0, 1, 8));
    assertThat(set.toString()).isEqualTo("0:9");
    assertThat(set.hasHoles(0)).isFalse();
    assertThat(set.holes()).isEmpty();
  }

  @Test
  void gtidsOrderBySequenceWithinADomainWhateverTheServer() {
    assertThat(new Gtid(0, 9, 5)).isLessThan(new Gtid(0, 1, 6));
    assertThat(new Gtid(0, 9, 100)).isLessThan(new Gtid(1, 1, 1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1-2", "1-2-3-4", "a-1-2", "-1-2-3", "1--3", "4294967296-1-1", "1-2-x"})
  void malformedGtidTextThrowsNamingTheText(String text) {
    assertThatThrownBy(() -> Gtid.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"x", "0:1:1", "0:5:3-2", "1:1,0:1", "0:1:3-4:4-5", "0"})
  void malformedGtidSetTextThrowsNamingTheText(String text) {
    assertThatThrownBy(() -> GtidSet.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1", "0:1", "1:", ":1", "1:2:3", "1:-2", "x:1"})
  void malformedPositionTextThrowsNamingTheText(String text) {
    assertThatThrownBy(() -> JournalPosition.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @Test
  void floatValuesCompareBitForBit() {
    double nan1 = Double.longBitsToDouble(0x7ff8_0000_0000_0001L);
    double nan2 = Double.longBitsToDouble(0x7ff8_0000_0000_0002L);
    assertThat(new Value.Float64(nan1)).isNotEqualTo(new Value.Float64(nan2));
    assertThat(new Value.Float64(-0.0)).isNotEqualTo(new Value.Float64(0.0));
    assertThat(new Value.Bytes(new byte[] {1, 2})).isEqualTo(new Value.Bytes(new byte[] {1, 2}));
  }
}
