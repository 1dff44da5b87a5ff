package dev.ferry.journal;

import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.LogicalType;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

/** Seeded random change-model values for property tests. */
final class TestData {
  static final TableId ACCOUNTS = Transactions.ACCOUNTS;
  static final List<Column> ACCOUNT_COLUMNS = Transactions.ACCOUNT_COLUMNS;

  private final SplittableRandom random;

  TestData(long seed) {
    this.random = new SplittableRandom(seed);
  }

  SplittableRandom random() {
    return random;
  }

  /** A small transaction with GTID 0-1-seq. */
  static Transaction small(long seq) {
    return Transactions.accounts(seq);
  }

  Transaction transaction(Gtid gtid, int maxChanges) {
    int n = random.nextInt(maxChanges + 1);
    List<Change> changes = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      changes.add(change());
    }
    Instant commit = Instant.ofEpochSecond(random.nextLong(-10_000_000_000L, 10_000_000_000L),
        random.nextInt(1_000_000_000));
    return new Transaction(gtid, commit, random.nextLong(), sourcePosition(), changes);
  }

  /** Any kind of source position: compact, binlog with a file, with or without a source GTID. */
  SourcePosition sourcePosition() {
    SourcePosition.Kind kind = SourcePosition.Kind.values()[random.nextInt(SourcePosition.Kind.values().length)];
    SourcePosition position = kind == SourcePosition.Kind.BINLOG
        ? SourcePosition.binlog(random.nextBoolean() ? "mariadb-bin." + String.format("%06d", random.nextInt(1_000_000))
            : "host:bin." + random.nextInt(), random.nextLong())
        : new SourcePosition(kind, random.nextLong());
    return random.nextInt(3) == 0 ? position.withSourceGtid(new Gtid(random.nextLong(1L << 32),
        random.nextLong(1L << 32), random.nextLong(Long.MAX_VALUE))) : position;
  }

  Change change() {
    TableId table = table();
    List<Column> columns = columns();
    return switch (random.nextInt(7)) {
      case 0, 1 -> new Change.Insert(table, columns, row(columns.size(), false));
      case 2 -> {
        Change.OldImage image = Change.OldImage.values()[random.nextInt(3)];
        List<Value> old = image == Change.OldImage.NONE ? List.of() : row(columns.size(), false);
        yield new Change.Update(table, columns, image, old, row(columns.size(), true));
      }
      case 3 -> new Change.Delete(table, columns, random.nextBoolean() ? Change.OldImage.KEY : Change.OldImage.FULL,
          row(columns.size(), false));
      case 4 -> new Change.Truncate(List.of(table, table()), random.nextBoolean(), random.nextBoolean());
      case 5 -> switch (random.nextInt(3)) {
        case 0 -> new Change.Ddl(text(), text(), random.nextLong());
        case 1 -> new Change.Ddl(text(), text(), random.nextLong(), java.util.Optional.of(text()));
        default -> new Change.SequenceAdvance(table, random.nextLong());
      };
      default -> new Change.Message(text(), random.nextBoolean(), bytes());
    };
  }

  TableId table() {
    return new TableId(random.nextInt(4) == 0 ? "" : "s" + random.nextInt(3), "t" + random.nextInt(5) + text());
  }

  List<Column> columns() {
    int n = random.nextInt(6);
    List<Column> columns = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      columns.add(new Column("c" + i + text(), random.nextBoolean() ? "numeric" : "тип", random.nextInt(),
          LogicalType.values()[random.nextInt(LogicalType.values().length)]));
    }
    return columns;
  }

  List<Value> row(int n, boolean allowUnchanged) {
    List<Value> values = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      values.add(value(allowUnchanged));
    }
    return values;
  }

  Value value(boolean allowUnchanged) {
    return switch (random.nextInt(allowUnchanged ? 8 : 7)) {
      case 0 -> Value.NULL;
      case 1 -> new Value.Text("");
      case 2 -> new Value.Text(text());
      case 3 -> new Value.Int64(random.nextInt(3) == 0 ? Long.MIN_VALUE : random.nextLong());
      case 4 -> new Value.Float64(doubleValue());
      case 5 -> new Value.Bytes(bytes());
      case 6 -> random.nextInt(20) == 0 ? new Value.Text(huge()) : new Value.Text("x" + random.nextInt());
      default -> Value.UNCHANGED;
    };
  }

  double doubleValue() {
    return switch (random.nextInt(6)) {
      case 0 -> -0.0;
      case 1 -> Double.longBitsToDouble(0x7ff8_0000_0000_0000L | random.nextLong(1, 1L << 51));
      case 2 -> Double.POSITIVE_INFINITY;
      case 3 -> Double.MIN_VALUE;
      default -> Double.longBitsToDouble(random.nextLong());
    };
  }

  /** Unicode text: ASCII, accents, CJK, emoji (surrogate pairs), control characters. */
  String text() {
    int n = random.nextInt(12);
    StringBuilder s = new StringBuilder();
    int[] pool = {'a', 'Z', ' ', '"', '.', '\\', 0, '\n', 'é', 'ß', '中', 0x1F600, 0x10FFFF, 0xFFFD};
    for (int i = 0; i < n; i++) {
      s.appendCodePoint(pool[random.nextInt(pool.length)]);
    }
    return s.toString();
  }

  String huge() {
    StringBuilder s = new StringBuilder();
    int n = random.nextInt(100_000, 400_000);
    while (s.length() < n) {
      s.append(Long.toString(random.nextLong(), 36));
    }
    return s.toString();
  }

  byte[] bytes() {
    byte[] b = new byte[random.nextInt(5) == 0 ? random.nextInt(70_000) : random.nextInt(10)];
    random.nextBytes(b);
    return b;
  }

  /** A clock tests move by hand. */
  static final class ManualClock implements InstantSource {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

    @Override
    public Instant instant() {
      return now.get();
    }

    void advance(java.time.Duration d) {
      now.updateAndGet(t -> t.plus(d));
    }
  }
}
