package dev.ferry.journal;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.LogicalType;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The transactions of the committed old-format journals under {@code src/test/resources/journals}
 * (see the README there). Deterministic: the generator ({@link OldJournalFixturesWriter}) writes
 * them and {@link OldJournalsTest} expects them back. Never change what this builds for an existing
 * version: the committed bytes were written from it.
 */
final class OldJournalFixtures {
  static final TableId TYPES = new TableId("public", "types");
  static final TableId LITE = new TableId("", "lite");
  /** PostgreSQL columns as capture describes them: {@code format_type} text and the type OID. */
  static final List<Column> PG_COLUMNS = List.of(
      new Column("id", "bigint", 20),
      new Column("flag", "boolean", 16),
      new Column("small", "smallint", 21),
      new Column("medium", "integer", 23),
      new Column("amount", "numeric(12,4)", 1700),
      new Column("ratio", "real", 700),
      new Column("precise", "double precision", 701),
      new Column("note", "text", 25),
      new Column("code", "character varying(20)", 1043),
      new Column("blob", "bytea", 17),
      new Column("day", "date", 1082),
      new Column("clock", "time without time zone", 1083),
      new Column("stamp", "timestamp without time zone", 1114),
      new Column("stamptz", "timestamp with time zone", 1184),
      new Column("uid", "uuid", 2950),
      new Column("doc", "jsonb", 3802),
      new Column("raw_doc", "json", 114),
      new Column("span", "interval", 1186),
      new Column("list", "integer[]", 1007),
      new Column("mood", "public.mood", 16_385));
  /** SQLite columns as trigger capture describes them: the declared type, no OID. */
  static final List<Column> SQLITE_COLUMNS = List.of(
      new Column("id", "INTEGER", 0),
      new Column("name", "TEXT", 0),
      new Column("score", "REAL", 0),
      new Column("data", "BLOB", 0),
      new Column("price", "NUMERIC", 0),
      new Column("ok", "BOOLEAN", 0),
      new Column("at", "DATETIME", 0),
      new Column("anything", "", 0));

  private OldJournalFixtures() {
  }

  /** One step of the generator: a whole transaction, a chunked one, or a chunked one rolled back. */
  sealed interface Step {
  }

  record Whole(Transaction tx) implements Step {
  }

  record Chunked(Transaction tx, int chunks) implements Step {
  }

  record Aborted(Gtid gtid, List<Change> changes) implements Step {
  }

  /**
   * A streamed transaction (version 4): chunks under stream key 0-0-{@code xid}, a middle chunk of
   * {@code dropped} changes left out at commit, and a streamed transaction rolled back interleaved.
   */
  record Streamed(Transaction tx, long xid, List<Change> dropped) implements Step {
  }

  /** What the generator appends, in order, for a journal of format {@code version}. */
  static List<Step> steps(int version) {
    List<Step> steps = new ArrayList<>();
    long seq = 1;
    steps.add(new Whole(tx(seq++, SourcePosition.pgLsn(0x16b3748L), List.of(pgInsert(1), pgInsert(2)))));
    steps.add(new Whole(tx(seq++, SourcePosition.pgLsn(0x16b3800L), List.of(
        new Change.Update(TYPES, PG_COLUMNS, Change.OldImage.NONE, List.of(), pgRow(1, true)),
        new Change.Update(TYPES, PG_COLUMNS, Change.OldImage.KEY, keyOnly(2), pgRow(2, false)),
        new Change.Update(TYPES, PG_COLUMNS, Change.OldImage.FULL, pgRow(2, false), pgRow(3, true)),
        new Change.Delete(TYPES, PG_COLUMNS, Change.OldImage.KEY, keyOnly(3)),
        new Change.Delete(TYPES, PG_COLUMNS, Change.OldImage.FULL, pgRow(1, false))))));
    steps.add(new Whole(tx(seq++, SourcePosition.changeId(41), List.of(liteInsert(1), liteInsert(2)))));
    steps.add(new Whole(tx(seq++, SourcePosition.NONE, List.of(
        new Change.Ddl("alter table public.types add column extra int", "public, pg_catalog", 2),
        new Change.SequenceAdvance(new TableId("public", "types_id_seq"), 1_000),
        new Change.Truncate(List.of(TYPES, LITE), true, false),
        new Change.Truncate(List.of(LITE), false, true),
        new Change.Message("ferry.marker", true, "snapshot 7".getBytes(StandardCharsets.UTF_8)),
        new Change.Message("app", false, new byte[] {0, 1, 2, (byte) 0xff})))));
    if (version >= 2) {
      steps.add(new Whole(tx(seq++, SourcePosition.pgLsn(0x2000000L), List.of(
          new Change.Ddl("alter table t add c int", "public", 3,
              Optional.of("do $$ begin alter table t add c int; end $$"))))));
    }
    steps.add(new Whole(tx(seq++, new SourcePosition(SourcePosition.Kind.BINLOG, 0x4d2), List.of(liteInsert(3)))));
    if (version >= 3) {
      steps.add(new Whole(tx(seq++, SourcePosition.binlog("mariadb-bin.000042", 0x4d2).withSourceGtid(new Gtid(3, 7, 99)),
          List.of(new Change.Insert(new TableId("shop", "counts"), List.of(
              new Column("id", "bigint unsigned", 0, LogicalType.UINT64),
              new Column("tiny", "tinyint", 0, LogicalType.INT8),
              new Column("at", "datetime(6)", 0, LogicalType.TIMESTAMP)),
              List.of(new Value.Text("18446744073709551615"), new Value.Int64(-128),
                  new Value.Text("2024-03-01 10:00:00.000001")))))));
    }
    Transaction big = tx(seq++, SourcePosition.pgLsn(0x3000000L), bigChanges());
    Gtid aborted = new Gtid(0, 1, seq); // rolled back: the next transaction takes its sequence number
    steps.add(new Aborted(aborted, List.of(pgInsert(90), liteInsert(91))));
    steps.add(new Chunked(big, 4));
    for (int i = 0; i < 12; i++) {
      steps.add(new Whole(tx(seq++, SourcePosition.changeId(100 + i), List.of(liteInsert(200 + i)))));
    }
    if (version >= 4) {
      steps.add(new Streamed(tx(seq++, SourcePosition.pgLsn(0x4000000L), List.of(pgInsert(400), liteInsert(401),
          pgInsert(402))), 4711, List.of(pgInsert(499), liteInsert(498))));
    }
    steps.add(new Whole(tx(seq, SourcePosition.pgLsn(-1L), List.of(pgInsert(300)))));
    return steps;
  }

  /** The transactions a reader hands out for a journal of format {@code version}, in order. */
  static List<Transaction> expected(int version) {
    List<Transaction> all = new ArrayList<>();
    for (Step step : steps(version)) {
      switch (step) {
        case Whole w -> all.add(w.tx());
        case Chunked c -> all.add(c.tx());
        case Streamed st -> all.add(st.tx());
        case Aborted a -> {
        }
      }
    }
    return all;
  }

  private static Transaction tx(long seq, SourcePosition position, List<Change> changes) {
    return new Transaction(new Gtid(0, 1, seq), Instant.ofEpochSecond(1_767_225_600L + seq, seq * 1000), 1 + seq / 4,
        position, changes);
  }

  private static Change pgInsert(long id) {
    return new Change.Insert(TYPES, PG_COLUMNS, pgRow(id, false));
  }

  private static List<Value> pgRow(long id, boolean unchangedBlob) {
    return List.of(
        new Value.Text(Long.toString(id)), new Value.Text(id % 2 == 0 ? "t" : "f"), new Value.Text("-32768"),
        new Value.Text("2147483647"), new Value.Text("12345678.9012"), new Value.Text("NaN"),
        new Value.Text("-0"), new Value.Text("é中😀 \"quoted\" \\ line\nbreak"), Value.NULL,
        unchangedBlob ? Value.UNCHANGED : new Value.Text("\\x00ff" + "ab".repeat((int) id * 40)),
        new Value.Text("2024-02-29"), new Value.Text("23:59:59.999999"), new Value.Text("2024-03-01 10:00:00.5"),
        new Value.Text("2024-03-01 10:00:00.5+00"), new Value.Text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        new Value.Text("{\"a\": [1, 2, null]}"), new Value.Text("{ \"b\" : 1 }"),
        new Value.Text("1 year 2 mons 3 days 04:05:06"), new Value.Text("{1,2,NULL}"), new Value.Text("happy"));
  }

  private static List<Value> keyOnly(long id) {
    List<Value> row = new ArrayList<>();
    row.add(new Value.Text(Long.toString(id)));
    for (int i = 1; i < PG_COLUMNS.size(); i++) {
      row.add(Value.NULL);
    }
    return row;
  }

  private static Change liteInsert(long id) {
    byte[] data = new byte[(int) (id % 7) * 100];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31 + id);
    }
    return new Change.Insert(LITE, SQLITE_COLUMNS, List.of(new Value.Int64(id == 1 ? Long.MIN_VALUE : id),
        new Value.Text("name " + id), new Value.Float64(id == 2 ? Double.NaN : id / 3.0), new Value.Bytes(data),
        new Value.Text("12.50"), new Value.Int64(id % 2), new Value.Text("2024-03-01 10:00:00"),
        id % 2 == 0 ? new Value.Float64(-0.0) : Value.NULL));
  }

  private static List<Change> bigChanges() {
    List<Change> changes = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      changes.add(i % 2 == 0 ? pgInsert(1_000 + i) : liteInsert(1_000 + i));
    }
    return changes;
  }
}
