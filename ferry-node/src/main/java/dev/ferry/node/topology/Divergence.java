package dev.ferry.node.topology;

import dev.ferry.journal.model.Gtid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where an old primary's journal leaves the history a promoted node continued (docs/failover.md,
 * "Fencing and rejoining the old primary"), found by GTID and content checksum. Immutable.
 *
 * <p>The <b>branch point</b> is the last transaction of the new primary's journal before its first
 * transaction of another server id than the old primary's: the promoted node continued the journal
 * from there. The old primary must hold it with the same checksum (else it is not the old primary of
 * that history); every transaction it holds after it is its <b>divergent tail</b>: the new primary
 * never received it, and it is never merged.
 *
 * @param branchPoint the last GTID both histories share
 * @param firstOfNewPrimary the new primary's first own transaction (after the branch point)
 * @param tail the old primary's transactions after the branch point, in journal order
 */
public record Divergence(Gtid branchPoint, Gtid firstOfNewPrimary, List<Gtid> tail) {
  /** One journal transaction as the check needs it. */
  public record Tx(Gtid gtid, long checksum) {}

  public Divergence {
    tail = List.copyOf(tail);
  }

  /** The first GTID of the tail, if any. */
  public Optional<Gtid> firstDivergent() {
    return tail.isEmpty() ? Optional.empty() : Optional.of(tail.get(0));
  }

  /**
   * Compares the old primary's journal with the new primary's.
   *
   * @param oldPrimary the old primary's transactions, in journal order
   * @param newPrimary the new primary's transactions, in journal order
   * @param newWhere how to name the new primary's journal in messages
   * @throws Promotion.RefusedException naming the GTID, when the histories cannot be told apart this way
   */
  public static Divergence find(List<Tx> oldPrimary, List<Tx> newPrimary, String newWhere) throws Promotion.RefusedException {
    if (oldPrimary.isEmpty()) {
      throw refused("the old primary's journal holds no transaction: nothing to compare with " + newWhere);
    }
    long serverId = oldPrimary.get(oldPrimary.size() - 1).gtid().serverId();
    int own = -1;
    for (int i = 0; i < newPrimary.size(); i++) {
      if (newPrimary.get(i).gtid().serverId() != serverId) {
        own = i;
        break;
      }
    }
    if (own < 0) {
      throw refused(newWhere + " holds no transaction of another server id than the old primary's (" + serverId
          + "): the new primary has written nothing after the branch point yet (or not sealed it): no divergence"
          + " information. Try again once it has");
    }
    if (own == 0) {
      throw refused(newWhere + " no longer holds the branch point (its first transaction " + newPrimary.get(0).gtid()
          + " is already the new primary's): no divergence information. Keep the old history on the new primary"
          + " (journal.serve.http.consumers) or compare by hand");
    }
    Tx branch = newPrimary.get(own - 1);
    Map<Gtid, Long> old = new HashMap<>();
    for (Tx t : oldPrimary) {
      old.put(t.gtid(), t.checksum());
    }
    Long held = old.get(branch.gtid());
    if (held == null) {
      throw refused("the old primary's journal does not hold the branch point " + branch.gtid() + " of " + newWhere
          + ": it is not the old primary of that history (or purged it)");
    }
    if (held != branch.checksum()) {
      throw refused("the old primary's transaction " + branch.gtid() + " differs from the branch point " + branch.gtid()
          + " of " + newWhere + " (content checksum " + Long.toHexString(held) + " vs " + Long.toHexString(
          branch.checksum()) + "): it is not the old primary of that history");
    }
    List<Gtid> tail = new ArrayList<>();
    boolean after = false;
    for (Tx t : oldPrimary) {
      if (after) {
        tail.add(t.gtid());
      }
      after |= t.gtid().equals(branch.gtid());
    }
    return new Divergence(branch.gtid(), newPrimary.get(own).gtid(), tail);
  }

  /**
   * Every transaction of the journal (or copy) in {@code dir}, from its oldest segment, as GTID and
   * content checksum; {@code each} sees each transaction as it is read.
   */
  public static List<Tx> read(java.nio.file.Path dir, java.util.function.Consumer<dev.ferry.journal.JournalTransaction> each)
      throws java.io.IOException, InterruptedException {
    List<Tx> all = new ArrayList<>();
    try (dev.ferry.journal.JournalReader reader = dev.ferry.journal.JournalReader.openAtOldest(dir)) {
      java.util.Optional<dev.ferry.journal.JournalTransaction> tx;
      while ((tx = reader.next(java.time.Duration.ZERO)).isPresent()) {
        all.add(new Tx(tx.get().gtid(), tx.get().checksum()));
        each.accept(tx.get());
      }
    }
    return all;
  }

  private static Promotion.RefusedException refused(String message) {
    return new Promotion.RefusedException(message, List.of());
  }
}
