package dev.ferry.apply.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.ReplicaPosition;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.snapshot.SourceSequence;
import dev.ferry.journal.snapshot.SourceTable;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The text formats of an export archive: REPLICATION_SEQUENCE and TABLES round-trip; garbage throws. */
class ArchiveFormatTest {
  @Test
  void replicationPointRoundTripsThroughItsText() {
    ReplicationPoint point = new ReplicationPoint(SourcePosition.pgLsn(0x16B3748L),
        new ReplicaPosition("341ccba6-0d2c-4c1e-9b1c-5e4c3a1f0b2a", GtidSet.parse("0:4711"), Optional.of(new JournalPosition(3, 4097)),
            OptionalLong.of(2), Optional.of(Instant.parse("2026-01-01T00:00:00.123456Z"))));
    assertThat(ReplicationPoint.parse(point.toString())).isEqualTo(point);
    ReplicationPoint empty = new ReplicationPoint(SourcePosition.pgLsn(1),
        new ReplicaPosition("j", GtidSet.empty(), Optional.of(new JournalPosition(1, 0)), OptionalLong.empty(), Optional.empty()));
    assertThat(ReplicationPoint.parse(empty.toString())).isEqualTo(empty);
  }

  @Test
  void replicationPointRefusesUnknownMissingAndMalformedLines() {
    assertThatThrownBy(() -> ReplicationPoint.parse("ferry-replication-point 2\n"))
        .hasMessageContaining("first line");
    assertThatThrownBy(() -> ReplicationPoint.parse("ferry-replication-point 1\njournal j\nsnapshot pg-lsn:0/1\n"
        + "applied 0:1\n")).hasMessageContaining("'position");
    assertThatThrownBy(() -> ReplicationPoint.parse("ferry-replication-point 1\njournal j\nsnapshot pg-lsn:0/1\n"
        + "position 1:0\napplied 0:1\ncolour blue\n")).hasMessageContaining("colour blue");
    assertThatThrownBy(() -> ReplicationPoint.parse("ferry-replication-point 1\njournal j\nsnapshot pg-lsn:0/1\n"
        + "position nowhere\napplied 0:1\n")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tablesFileRoundTripsOddNames() {
    SourceTable odd = new SourceTable(new TableId("we\tird", "ta\\ble\nx"),
        List.of(new SourceTable.SourceColumn("id", "bigint", true),
            new SourceTable.SourceColumn("a b", "numeric(12,4)", false)), List.of("id"), 3, 0);
    SourceTable plain = new SourceTable(new TableId("public", "h"),
        List.of(new SourceTable.SourceColumn("t", "timestamp with time zone", false)), List.of(), 0, 0);
    List<ArchiveTables.Entry> entries = List.of(new ArchiveTables.Entry(odd, ArchiveTables.fileName(1, odd.id()), 3),
        new ArchiveTables.Entry(plain, ArchiveTables.fileName(2, plain.id()), 0));
    assertThat(ArchiveTables.parse(ArchiveTables.format(entries))).isEqualTo(entries);
    assertThat(entries.getFirst().file()).isEqualTo("0001-we_ird.ta_ble_x.copy");
  }

  @Test
  void tablesFileRoundTripsTheSequencesOfSerialAndIdentityColumns() {
    List<SourceSequence> sequences = List.of(
        new SourceSequence("id", new TableId("public", "t_id_seq"), SourceSequence.Kind.SERIAL, "integer", 1, 1, 1,
            Integer.MAX_VALUE, 1, false, 40, true),
        new SourceSequence("n", new TableId("odd\tschema", "n seq"), SourceSequence.Kind.ALWAYS, "bigint", 1000, -7,
            Long.MIN_VALUE, 1000, 20, true, 1000, false),
        new SourceSequence("m", new TableId("public", "t_m_seq"), SourceSequence.Kind.BY_DEFAULT, "smallint", 5, 5, 1,
            Short.MAX_VALUE, 1, false, 5, false));
    SourceTable t = new SourceTable(new TableId("public", "t"),
        List.of(new SourceTable.SourceColumn("id", "integer", true), new SourceTable.SourceColumn("n", "bigint", true),
            new SourceTable.SourceColumn("m", "smallint", true)), List.of("id"), 40, 0, sequences);
    List<ArchiveTables.Entry> entries = List.of(new ArchiveTables.Entry(t, ArchiveTables.fileName(1, t.id()), 40));
    assertThat(ArchiveTables.parse(ArchiveTables.format(entries))).isEqualTo(entries);
    assertThat(ArchiveTables.format(entries)).startsWith("ferry-tables 2\n");
  }

  @Test
  void tablesFileOfVersionOneHasNoSequences() {
    List<ArchiveTables.Entry> entries = ArchiveTables.parse("ferry-tables 1\ntable\tpublic\tt\t0001-t.copy\t1\n"
        + "column\tid\tbigint\tnot null\nkey\tid\n");
    assertThat(entries.getFirst().table().sequences()).isEmpty();
  }

  @Test
  void tablesFileRefusesAMalformedSequenceLine() {
    assertThatThrownBy(() -> ArchiveTables.parse("ferry-tables 2\ntable\tpublic\tt\t0001-t.copy\t1\n"
        + "column\tid\tbigint\tnot null\nsequence\tid\tserial\tpublic\tt_id_seq\ttext\t1\t1\t1\t9\t1\tno-cycle"
        + "\t1\tcalled\n")).hasMessageContaining("line 4").hasMessageContaining("smallint, integer or bigint");
  }

  @Test
  void tablesFileRefusesAPathAsFileName() {
    assertThatThrownBy(() -> ArchiveTables.parse("ferry-tables 1\ntable\tpublic\tt\t../etc/passwd\t1\n"
        + "column\tid\tbigint\tnot null\n")).hasMessageContaining("not a file name");
  }
}
