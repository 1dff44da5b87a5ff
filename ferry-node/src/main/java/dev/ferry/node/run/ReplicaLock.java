package dev.ferry.node.run;

import dev.ferry.journal.FileLockHold;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code <journal.dir>/replica-<name>.lock}, held by the one process that applies replica
 * {@code name} of that journal: a {@code ferry run} or a separate {@code ferry apply}. Two
 * processes applying one replica would race for its progress row; commands that change a
 * replica's progress ({@code ferry replica reinit}, {@code skip}) take it too, so they see a
 * separate {@code ferry apply}, which holds no {@code journal.lock}. An OS file lock: a killed
 * process releases it. Thread-safe.
 */
public final class ReplicaLock implements Closeable {
  private final FileLockHold hold;

  private ReplicaLock(FileLockHold hold) {
    this.hold = hold;
  }

  /** The lock file of replica {@code replica} of the journal in {@code journalDir}. */
  public static Path of(Path journalDir, String replica) {
    return journalDir.resolve("replica-" + replica + ".lock");
  }

  /** Locks replica {@code replica}; empty when this or another process holds it. */
  public static Optional<ReplicaLock> tryHold(Path journalDir, String replica) throws IOException {
    return FileLockHold.tryHold(of(journalDir, replica)).map(ReplicaLock::new);
  }

  /**
   * Locks every replica in {@code replicas}, or none: an {@link IOException} names the first one
   * another process applies.
   */
  static List<ReplicaLock> holdAll(Path journalDir, List<String> replicas) throws IOException {
    List<ReplicaLock> held = new ArrayList<>();
    try {
      for (String name : replicas) {
        held.add(tryHold(journalDir, name).orElseThrow(() -> new IOException(heldBy(journalDir, name)
            + ": two processes must not apply one replica; stop the other one first")));
      }
      return held;
    } catch (IOException | RuntimeException e) {
      releaseAll(held);
      throw e;
    }
  }

  /** Says who holds the lock of {@code replica}, for refusals. */
  public static String heldBy(Path journalDir, String replica) {
    return "replica " + replica + " is applied by another process (a 'ferry run' or 'ferry apply' of this node;"
        + " it holds " + of(journalDir, replica) + ")";
  }

  /** Releases each of {@code locks}, going on after a failure. */
  static void releaseAll(List<ReplicaLock> locks) {
    for (ReplicaLock l : locks) {
      try {
        l.close();
      } catch (IOException e) {
        // the channel is closed anyway, and the OS drops the lock with the process
      }
    }
  }

  @Override
  public void close() throws IOException {
    hold.close();
  }
}
