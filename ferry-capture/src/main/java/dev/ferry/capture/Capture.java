package dev.ferry.capture;

import dev.ferry.journal.model.SourcePosition;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One source being captured into a {@link TransactionSink}, on a thread of its own, from the
 * moment its kind's {@code start} returns it until {@link #close}. PostgreSQL (logical decoding),
 * SQLite (change-table polling) and later MariaDB (binlog) implement it; the node holds one and
 * never asks which kind it is. A failure an operator must fix stops capture; {@link #failure()}
 * then says what to do. All methods are thread-safe.
 */
public interface Capture extends AutoCloseable {

  /** Where capture stands, for status. */
  enum State {
    /** Started, not yet reading the source. */
    STARTING,
    /** Reading the source (PostgreSQL: also while reconnecting after a lost connection). */
    STREAMING,
    /** Stopped on an error; {@link #failure()} holds it. */
    FAILED
  }

  /**
   * Waits until capture reads the source (or failed).
   *
   * @return false on timeout
   */
  boolean awaitStreaming(Duration timeout) throws InterruptedException;

  /** The current state: {@link State#FAILED} exactly when {@link #failure()} is present. */
  State state();

  /** Why capture stopped, once it stopped on an error. */
  Optional<Exception> failure();

  /**
   * The source position confirmed durable, in the source's own notation (PostgreSQL: the slot's
   * confirmed LSN, {@code 0/16B3748}); empty when the source has no such position to show.
   */
  Optional<String> confirmedPosition();

  /**
   * Marks "now" at the source: the returned check turns true once everything committed at the
   * source before this call is durable in the sink.
   *
   * @param durableHead the source position of the newest transaction the sink holds durably,
   *     empty while it holds none; called by the check, from any thread
   * @throws IOException when the source cannot be reached to place the mark
   */
  BooleanSupplier markSourceNow(Supplier<Optional<SourcePosition>> durableHead) throws IOException;

  /** Stops after the transaction in hand: what was captured is durable in the sink. Idempotent. */
  @Override
  void close() throws InterruptedException;
}
