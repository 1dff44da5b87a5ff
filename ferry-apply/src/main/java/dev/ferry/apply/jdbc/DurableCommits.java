package dev.ferry.apply.jdbc;

import dev.ferry.apply.CommitGate;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Side;
import java.io.IOException;
import java.util.Optional;

/**
 * Makes an applier's group commits wait for the journal's fsync ({@link CommitGate}) when it is
 * handed transactions before they are durable: remembers the position after the last transaction
 * handed over and, before each commit, waits until the journal is durable up to it. No gate: no
 * wait. One thread, the applier's.
 */
final class DurableCommits {
  /** The journal failed before what the group holds was durable: nothing of it may commit. */
  static final class NotDurable extends RuntimeException {
    NotDurable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private Optional<CommitGate> gate = Optional.empty();
  private JournalPosition received;

  void gate(CommitGate g) {
    gate = Optional.of(g);
  }

  /** A transaction ending before {@code next} was handed over. */
  void received(JournalPosition next) {
    received = next;
  }

  /** Waits until everything handed over is durable; throws {@link NotDurable} if it never will be. */
  void await(Side side) {
    if (gate.isEmpty() || received == null) {
      return;
    }
    try {
      gate.get().awaitDurable(received);
    } catch (IOException e) {
      throw new NotDurable(side.prefix("the journal failed before " + received + " was durable; the group holding"
          + " it is rolled back, not committed: " + e.getMessage()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NotDurable(side.prefix("interrupted waiting for the journal to be durable up to " + received
          + "; the group holding it is rolled back"), e);
    }
  }
}
