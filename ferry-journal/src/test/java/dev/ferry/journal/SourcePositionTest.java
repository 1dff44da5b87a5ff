package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SourcePositionTest {
  @Test
  void compactKindsKeepTheirTextForm() {
    assertThat(SourcePosition.pgLsn(0x16b3748L)).hasToString("pg-lsn:16b3748");
    assertThat(SourcePosition.changeId(42)).hasToString("change-id:2a");
    assertThat(SourcePosition.NONE).hasToString("none:0");
    assertThat(SourcePosition.parse("pg-lsn:ffffffffffffffff")).isEqualTo(SourcePosition.pgLsn(-1L));
  }

  @Test
  void binlogPositionHoldsFileOffsetAndSourceGtid() {
    SourcePosition p = SourcePosition.binlog("mariadb-bin.000042", 1234).withSourceGtid(new Gtid(0, 7, 99));
    assertThat(p).hasToString("binlog:mariadb-bin.000042:4d2@0-7-99");
    assertThat(SourcePosition.parse(p.toString())).isEqualTo(p);
    assertThat(p.file()).isEqualTo("mariadb-bin.000042");
    assertThat(p.value()).isEqualTo(1234);
    assertThat(p.sourceGtid()).contains(new Gtid(0, 7, 99));
    assertThat(SourcePosition.parse("binlog:c:\\logs\\bin.000001:4")).isEqualTo(SourcePosition.binlog("c:\\logs\\bin.000001", 4));
  }

  @Test
  void binlogPositionsOrderByFileNumberThenOffsetThenSourceGtid() {
    List<SourcePosition> ordered = List.of(
        SourcePosition.binlog("mariadb-bin.000999", 900),
        SourcePosition.binlog("mariadb-bin.001000", 4),
        SourcePosition.binlog("mariadb-bin.001000", 5),
        SourcePosition.binlog("mariadb-bin.001000", 5).withSourceGtid(new Gtid(0, 1, 8)),
        SourcePosition.binlog("mariadb-bin.001000", 5).withSourceGtid(new Gtid(0, 1, 9)),
        SourcePosition.binlog("mariadb-bin.999999", 4),
        SourcePosition.binlog("mariadb-bin.1000000", 4));
    List<SourcePosition> shuffled = new ArrayList<>(ordered.reversed());
    shuffled.sort(null);
    assertThat(shuffled).containsExactlyElementsOf(ordered);
    assertThat(SourcePosition.pgLsn(-1L)).isLessThan(SourcePosition.changeId(0));
  }

  @Test
  void malformedTextAndImpossiblePositionsAreRefused() {
    for (String bad : List.of("", "pg-lsn", "pg-lsn:", "pg-lsn:XYZ", "pg-lsn:a:b", "binlog:4d2", "lsn:1",
        "pg-lsn:1@0-1", "binlog:bin 1:4")) {
      assertThatThrownBy(() -> SourcePosition.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'");
    }
    assertThatThrownBy(() -> new SourcePosition(SourcePosition.Kind.PG_LSN, "file", 1, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SourcePosition.binlog("", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SourcePosition.binlog("a@b", 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
