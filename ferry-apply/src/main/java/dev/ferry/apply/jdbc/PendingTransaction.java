package dev.ferry.apply.jdbc;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import java.util.List;
import java.util.Optional;

/** A source transaction of the open group, kept until the group commits so it can be replayed. */
record PendingTransaction(Transaction tx, Optional<JournalPosition> journalPosition, long bytes) {

  PendingTransaction(Transaction tx, Optional<JournalPosition> journalPosition) {
    this(tx, journalPosition, estimateBytes(tx));
  }

  /** Names a group in errors: its one GTID, or {@code the group of N transactions FIRST to LAST}. */
  static String name(List<PendingTransaction> group) {
    if (group.isEmpty()) {
      return "an empty group";
    }
    if (group.size() == 1) {
      return group.get(0).tx().gtid().toString();
    }
    return "the group of " + group.size() + " transactions " + group.get(0).tx().gtid() + " to "
        + group.get(group.size() - 1).tx().gtid();
  }

  /** A rough size of the change data, for the group byte bound. */
  static long estimateBytes(Transaction tx) {
    long bytes = 64;
    for (Change change : tx.changes()) {
      List<Value> values = switch (change) {
        case Change.Insert i -> i.row();
        case Change.Update u -> u.row();
        case Change.Delete d -> d.old();
        default -> List.of();
      };
      bytes += 16;
      for (Value v : values) {
        bytes += switch (v) {
          case Value.Text t -> t.value().length();
          case Value.Bytes b -> b.value().length;
          default -> 8;
        };
      }
    }
    return bytes;
  }
}
