package dev.ferry.apply.jdbc;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * A deterministic stream of source transactions from a seed, with changes that are wrong if
 * applied twice: counters incremented as {@code n = n + 1} (the generator computes the new value
 * from its own model, as a source would send it), transfers, inserts and deletes of accounts, and
 * duplicate rows in a table without a key, plus an occasional bulk of inserts (COPY path).
 */
final class CounterWorkload {
  static final TableId ACCOUNTS = new TableId("public", "accounts");
  static final TableId EVENTS = new TableId("public", "events");
  static final List<Column> ACCOUNT_COLS = List.of(new Column("id", "int8", 20), new Column("n", "int8", 20),
      new Column("balance", "numeric", 1700), new Column("note", "text", 25));
  static final List<Column> EVENT_COLS = List.of(new Column("kind", "text", 25), new Column("amount", "int8", 20));
  static final String POSTGRES_SCHEMA = "CREATE TABLE accounts (id bigint PRIMARY KEY, n bigint NOT NULL,"
      + " balance numeric(20,2) NOT NULL, note text); CREATE TABLE events (kind text, amount bigint)";
  static final String SQLITE_SCHEMA = "CREATE TABLE accounts (id INTEGER PRIMARY KEY, n INTEGER NOT NULL,"
      + " balance NUMERIC NOT NULL, note TEXT); CREATE TABLE events (kind TEXT, amount INTEGER)";

  private CounterWorkload() {
  }

  static List<Transaction> generate(long seed, int count) {
    Random random = new Random(seed);
    TreeMap<Long, long[]> accounts = new TreeMap<>(); // id -> {n, balance in cents}
    List<long[]> events = new ArrayList<>();
    long nextId = 1;
    List<Transaction> out = new ArrayList<>(count);
    for (long seq = 1; seq <= count; seq++) {
      List<Change> changes = new ArrayList<>();
      int kind = accounts.size() < 5 ? 0 : random.nextInt(10);
      switch (kind) {
        case 0, 1 -> {
          long id = nextId++;
          accounts.put(id, new long[] {0, 10_000});
          changes.add(new Change.Insert(ACCOUNTS, ACCOUNT_COLS, account(id, accounts.get(id), "opened in " + seq)));
        }
        case 2, 3, 4 -> {
          for (int i = 0, k = 1 + random.nextInt(3); i < k; i++) {
            long id = pick(accounts, random);
            long[] a = accounts.get(id);
            a[0]++;
            changes.add(new Change.Update(ACCOUNTS, ACCOUNT_COLS, Change.OldImage.NONE, List.of(),
                List.of(new Value.Text(Long.toString(id)), new Value.Text(Long.toString(a[0])),
                    Value.UNCHANGED, Value.UNCHANGED)));
          }
        }
        case 5, 6 -> {
          long from = pick(accounts, random);
          long to = pick(accounts, random);
          long cents = 1 + random.nextInt(500);
          accounts.get(from)[1] -= cents;
          accounts.get(to)[1] += cents;
          for (long id : new long[] {from, to}) {
            changes.add(new Change.Update(ACCOUNTS, ACCOUNT_COLS, Change.OldImage.NONE, List.of(),
                account(id, accounts.get(id), "transfer " + seq)));
          }
          long[] event = {from % 3, cents};
          events.add(event);
          changes.add(new Change.Insert(EVENTS, EVENT_COLS, event(event)));
        }
        case 7 -> {
          long id = pick(accounts, random);
          long[] a = accounts.remove(id);
          changes.add(new Change.Delete(ACCOUNTS, ACCOUNT_COLS, Change.OldImage.KEY,
              List.of(new Value.Text(Long.toString(id)), Value.NULL, Value.NULL, Value.NULL)));
          if (a == null) {
            throw new IllegalStateException("model lost account " + id);
          }
        }
        case 8 -> {
          if (!events.isEmpty()) {
            long[] event = events.remove(random.nextInt(events.size()));
            changes.add(new Change.Delete(EVENTS, EVENT_COLS, Change.OldImage.FULL, event(event)));
          }
        }
        default -> {
          int bulk = random.nextInt(4) == 0 ? 100 : 3;
          for (int i = 0; i < bulk; i++) {
            long[] event = {7, i % 2}; // many equal rows
            events.add(event);
            changes.add(new Change.Insert(EVENTS, EVENT_COLS, event(event)));
          }
        }
      }
      out.add(new Transaction(new Gtid(0, 1, seq), Instant.parse("2026-01-01T00:00:00Z").plusMillis(seq), 1,
          SourcePosition.changeId(seq), changes));
    }
    return out;
  }

  private static long pick(TreeMap<Long, long[]> accounts, Random random) {
    Long id = accounts.ceilingKey(accounts.firstKey() + random.nextLong(accounts.lastKey() - accounts.firstKey() + 1));
    return id;
  }

  private static List<Value> account(long id, long[] a, String note) {
    String balance = (a[1] < 0 ? "-" : "") + Math.abs(a[1]) / 100 + "." + String.format("%02d", Math.abs(a[1]) % 100);
    return List.of(new Value.Text(Long.toString(id)), new Value.Text(Long.toString(a[0])), new Value.Text(balance),
        new Value.Text(note));
  }

  private static List<Value> event(long[] e) {
    return List.of(new Value.Text("kind-" + e[0]), new Value.Text(Long.toString(e[1])));
  }
}
