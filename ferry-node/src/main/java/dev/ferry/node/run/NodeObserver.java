package dev.ferry.node.run;

/**
 * Told of events a node's metrics time: each transaction's apply and each journal group commit's
 * fsync and size. Called on the apply and journal writer threads: implementations must be thread-safe and
 * return at once (record into a histogram, nothing more).
 */
public interface NodeObserver {
  /** Observes nothing. */
  NodeObserver NONE = new NodeObserver() {
  };

  /** {@code replica} applied one transaction in {@code nanos} (into its open group; commit not included). */
  default void applied(String replica, long nanos) {
  }

  /** The journal forced one group commit of {@code records} records to disk in {@code nanos}. */
  default void journalForced(long nanos, long records) {
  }
}
