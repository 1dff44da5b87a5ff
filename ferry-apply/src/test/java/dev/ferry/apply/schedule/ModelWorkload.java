package dev.ferry.apply.schedule;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.row;
import static dev.ferry.journal.fixtures.Transactions.table;

import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A seeded random workload over three tables, made against a model of their state the way a
 * source makes it (every transaction valid where it was made), and a strict replay of transactions
 * on that model that fails where a target would refuse or find nothing:
 * <ul>
 *   <li>{@code par_a (id pk, email unique, v)}: inserts, updates that move the key or the email,
 *       deletes and re-inserts of the same key, with key-only or full old images;
 *   <li>{@code par_b (id pk, v)}: update chains on few rows, key changes, and TRUNCATE;
 *   <li>{@code par_k (x, y)}: a keyless table, inserts and deletes by whole row;
 * </ul>
 * plus DDL (a comment on {@code par_b}, raising the schema sequence) in the middle. Not thread-safe.
 */
final class ModelWorkload {
  static final TableId A = table("par_a");
  static final TableId B = table("par_b");
  static final TableId K = table("par_k");
  static final List<Column> A_COLS = cols("id:int8", "email:text", "v:int8");
  static final List<Column> B_COLS = cols("id:int8", "v:int8");
  static final List<Column> K_COLS = cols("x:int8", "y:int8");
  private static final int KEYS = 12;

  /** The model: what the tables hold. Rows as value lists; par_k as a sorted multiset. */
  static final class State {
    final TreeMap<Long, List<Value>> a = new TreeMap<>();
    final TreeMap<Long, List<Value>> b = new TreeMap<>();
    final List<List<Value>> k = new ArrayList<>();

    /** The tables' rows as text, in a canonical order. */
    String digest() {
      List<String> keyless = new ArrayList<>(k.stream().map(Object::toString).toList());
      keyless.sort(null);
      return "a=" + a.values() + " b=" + b.values() + " k=" + keyless;
    }
  }

  /** The target's description of the three tables, with or without par_a's unique key on email. */
  static WriteKeys.Catalog catalog(boolean withUniqueEmail) {
    return t -> Optional.ofNullable(t.equals(A) ? info(A, A_COLS, List.of("id"), withUniqueEmail
        ? List.of(new TableInfo.UniqueKey("par_a_email_key", List.of("email"))) : List.of())
        : t.equals(B) ? info(B, B_COLS, List.of("id"), List.of())
        : t.equals(K) ? info(K, K_COLS, List.of(), List.of()) : null);
  }

  private static TableInfo info(TableId t, List<Column> columns, List<String> key, List<TableInfo.UniqueKey> unique) {
    return new TableInfo(t, t.toString(), columns.stream().map(c -> new TableInfo.TargetColumn(c.name(), "bigint"))
        .toList(), key, false, unique);
  }

  private final SplittableRandom random;
  private final State state = new State();
  private long schemaSequence = 1;
  private long seq;

  ModelWorkload(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** The state after every transaction made so far. */
  State state() {
    return state;
  }

  /** {@code count} transactions, GTIDs 0-1-1 onward, each of one to four changes. */
  List<Transaction> transactions(int count) {
    List<Transaction> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      seq++;
      List<Change> changes = new ArrayList<>();
      int n = 1 + random.nextInt(4);
      for (int c = 0; c < n; c++) {
        change().ifPresent(changes::add);
      }
      if (random.nextInt(40) == 0) {
        schemaSequence++;
        changes.add(new Change.Ddl("COMMENT ON TABLE public.par_b IS 'version " + schemaSequence + "'", "public",
            schemaSequence));
      }
      out.add(Transactions.txAt(seq, schemaSequence, changes.toArray(Change[]::new)));
    }
    return out;
  }

  private Optional<Change> change() {
    int pick = random.nextInt(100);
    if (pick < 40) {
      return changeA();
    }
    if (pick < 75) {
      return changeB();
    }
    if (pick < 98) {
      return changeK();
    }
    state.b.clear();
    return Optional.of(new Change.Truncate(List.of(B), false, false));
  }

  private Optional<Change> changeA() {
    Optional<Long> id = freeKey(state.a);
    Optional<String> email = freeEmail();
    if (state.a.isEmpty() || (random.nextInt(3) == 0 && id.isPresent() && email.isPresent())) {
      if (id.isEmpty() || email.isEmpty()) {
        return Optional.empty();
      }
      List<Value> r = row(id.get(), email.get(), random.nextInt(1000));
      state.a.put(id.get(), r);
      return Optional.of(new Change.Insert(A, A_COLS, r));
    }
    long at = anyKey(state.a);
    List<Value> old = state.a.get(at);
    boolean full = random.nextBoolean();
    List<Value> oldImage = full ? old : row(at, null, null);
    if (random.nextInt(3) == 0) {
      state.a.remove(at);
      return Optional.of(new Change.Delete(A, A_COLS, full ? Change.OldImage.FULL : Change.OldImage.KEY, oldImage));
    }
    long newId = random.nextBoolean() && id.isPresent() ? id.get() : at;
    Value newEmail = random.nextBoolean() && email.isPresent() ? new Value.Text(email.get()) : old.get(1);
    List<Value> r = List.of(new Value.Text(Long.toString(newId)), newEmail, new Value.Text(Long.toString(
        random.nextInt(1000))));
    state.a.remove(at);
    state.a.put(newId, r);
    Change.OldImage image = full ? Change.OldImage.FULL : newId != at ? Change.OldImage.KEY : Change.OldImage.NONE;
    return Optional.of(new Change.Update(A, A_COLS, image, image == Change.OldImage.NONE ? List.of() : oldImage, r));
  }

  private Optional<Change> changeB() {
    Optional<Long> id = freeKey(state.b);
    if (state.b.isEmpty() || (random.nextInt(4) == 0 && id.isPresent())) {
      if (id.isEmpty()) {
        return Optional.empty();
      }
      List<Value> r = row(id.get(), random.nextInt(1000));
      state.b.put(id.get(), r);
      return Optional.of(new Change.Insert(B, B_COLS, r));
    }
    long at = anyKey(state.b);
    if (random.nextInt(4) == 0) {
      state.b.remove(at);
      return Optional.of(new Change.Delete(B, B_COLS, Change.OldImage.KEY, row(at, null)));
    }
    long newId = random.nextInt(5) == 0 && id.isPresent() ? id.get() : at;
    List<Value> r = row(newId, random.nextInt(1000));
    state.b.remove(at);
    state.b.put(newId, r);
    return Optional.of(newId == at ? new Change.Update(B, B_COLS, Change.OldImage.NONE, List.of(), r)
        : new Change.Update(B, B_COLS, Change.OldImage.KEY, row(at, null), r));
  }

  private Optional<Change> changeK() {
    if (state.k.isEmpty() || random.nextBoolean()) {
      List<Value> r = row(random.nextInt(3), random.nextInt(3));
      state.k.add(r);
      return Optional.of(new Change.Insert(K, K_COLS, r));
    }
    List<Value> r = state.k.remove(random.nextInt(state.k.size()));
    return Optional.of(new Change.Delete(K, K_COLS, Change.OldImage.FULL, r));
  }

  private Optional<Long> freeKey(TreeMap<Long, List<Value>> table) {
    long start = 1 + random.nextInt(KEYS);
    for (long i = 0; i < KEYS; i++) {
      long key = 1 + (start + i) % KEYS;
      if (!table.containsKey(key)) {
        return Optional.of(key);
      }
    }
    return Optional.empty();
  }

  private Optional<String> freeEmail() {
    int start = random.nextInt(KEYS);
    for (int i = 0; i < KEYS; i++) {
      String email = "e" + (start + i) % KEYS;
      if (state.a.values().stream().noneMatch(r -> r.get(1).equals(new Value.Text(email)))) {
        return Optional.of(email);
      }
    }
    return Optional.empty();
  }

  private long anyKey(TreeMap<Long, List<Value>> table) {
    List<Long> keys = new ArrayList<>(table.keySet());
    return keys.get(random.nextInt(keys.size()));
  }

  /**
   * Replays {@code tx} on {@code on} as a strict target would.
   *
   * @throws IllegalStateException naming the GTID and change where a target would refuse it
   */
  static void replay(Transaction tx, State on) {
    for (Change change : tx.changes()) {
      try {
        replay(change, on);
      } catch (IllegalStateException e) {
        throw new IllegalStateException(tx.gtid() + ": " + e.getMessage() + " in " + change, e);
      }
    }
  }

  private static void replay(Change change, State on) {
    switch (change) {
      case Change.Insert i when i.table().equals(K) -> on.k.add(i.row());
      case Change.Insert i -> put(i.table(), on, i.row());
      case Change.Update u -> {
        long oldId = id(u.oldImage() == Change.OldImage.NONE ? u.row() : u.old());
        List<Value> was = rows(u.table(), on).remove(oldId);
        check(was != null, "row " + oldId + " not found for UPDATE");
        check(u.oldImage() != Change.OldImage.FULL || was.equals(u.old()), "old row differs: " + was);
        put(u.table(), on, u.row());
      }
      case Change.Delete d when d.table().equals(K) -> check(on.k.remove(d.old()), "keyless row not found");
      case Change.Delete d -> {
        List<Value> was = rows(d.table(), on).remove(id(d.old()));
        check(was != null, "row " + id(d.old()) + " not found for DELETE");
        check(d.oldImage() != Change.OldImage.FULL || was.equals(d.old()), "old row differs: " + was);
      }
      case Change.Truncate t -> on.b.clear();
      default -> { }
    }
  }

  private static void put(TableId table, State on, List<Value> r) {
    TreeMap<Long, List<Value>> rows = rows(table, on);
    check(!rows.containsKey(id(r)), "duplicate key " + id(r));
    check(!table.equals(A) || rows.values().stream().noneMatch(x -> x.get(1).equals(r.get(1))),
        "duplicate email " + r.get(1));
    rows.put(id(r), r);
  }

  private static TreeMap<Long, List<Value>> rows(TableId table, State on) {
    return table.equals(A) ? on.a : on.b;
  }

  private static long id(List<Value> r) {
    return Long.parseLong(((Value.Text) r.get(0)).value());
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException(what);
    }
  }
}
