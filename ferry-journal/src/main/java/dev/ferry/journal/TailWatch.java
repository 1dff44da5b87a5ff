package dev.ferry.journal;

import dev.ferry.journal.model.JournalPosition;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * How a reader learns that the journal grew. In the writer's process the writer signals readers
 * the moment an fsync completes and tells them how far the open segment is durable; a reader in
 * another process polls slowly and reads what the file holds, telling an in-flight record from
 * corruption by waiting until the segment is sealed.
 */
interface TailWatch {
  /** A counter that changes whenever the journal grows or a segment is sealed. */
  long version();

  /** How many bytes of {@code segment} a reader may use, given the file's current size. */
  long limit(long segment, long fileSize);

  /** Whether {@link #limit} is exact (data below it is durable, so a bad frame is corruption). */
  boolean exact();

  /** Waits until {@link #version()} differs from {@code seen} or {@code nanos} pass. */
  void awaitChange(long seen, long nanos) throws InterruptedException;

  /**
   * How many bytes of {@code segment} a reader that applies ahead of the fsync may use: in the
   * writer's process what the writer has handed to the file system in whole records, forced or not;
   * elsewhere {@link #limit}.
   */
  default long writtenLimit(long segment, long fileSize) {
    return limit(segment, fileSize);
  }

  /** Whether the journal is durable up to {@code position}; true where that cannot be known (another process's files). */
  default boolean durable(JournalPosition position) {
    return true;
  }

  /**
   * Waits until the journal is durable up to {@code position}.
   *
   * @throws IOException when the writer failed first (then it never will be)
   */
  default void awaitDurable(JournalPosition position) throws IOException, InterruptedException {
  }

  /** For readers in other processes: sleeps briefly; the file size is the limit. */
  TailWatch POLLING = polling(java.util.Optional.empty());

  /**
   * As {@link #POLLING}, but woken at once when this process makes more of {@code dir} durable
   * ({@link DirectoryWake}: a journal copy's ingest); a reader in another process still polls.
   */
  static TailWatch polling(Path dir) {
    return polling(java.util.Optional.of(DirectoryWake.of(dir)));
  }

  private static TailWatch polling(java.util.Optional<DirectoryWake> wake) {
    long pollNanos = TimeUnit.MILLISECONDS.toNanos(20);
    return new TailWatch() {
      @Override
      public long version() {
        return wake.map(DirectoryWake::version).orElse(0L);
      }

      @Override
      public long limit(long segment, long fileSize) {
        return fileSize;
      }

      @Override
      public boolean exact() {
        return false;
      }

      @Override
      public void awaitChange(long seen, long nanos) throws InterruptedException {
        long wait = Math.min(nanos, pollNanos);
        if (wake.isPresent()) {
          wake.get().await(seen, wait);
        } else {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
    };
  }
}
