package dev.ferry.journal;

import dev.ferry.journal.model.Change;
import java.io.IOException;

/**
 * A one-pass cursor over the changes of one committed transaction, possibly streamed from disk
 * chunk by chunk (so a transaction of ten million rows never sits in memory as a whole).
 *
 * <pre>{@code
 * try (ChangeCursor changes = tx.changes()) {
 *   while (changes.advance()) {
 *     apply(changes.current());
 *   }
 * }
 * }</pre>
 *
 * Not thread-safe: one thread reads a cursor. {@link #current()} is never null after
 * {@link #advance()} returned true.
 */
public interface ChangeCursor extends AutoCloseable {
  /**
   * Moves to the next change; false at the end.
   *
   * @throws JournalCorruptionException if a chunk is damaged or missing
   */
  boolean advance() throws IOException;

  /** The change {@link #advance()} moved to. */
  Change current();

  @Override
  void close() throws IOException;
}
