package dev.ferry.apply.jdbc;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ReplicaPosition;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.JournalPosition;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Optional;

/**
 * Applies a journal to a target until the journal has nothing more, in its own JVM so a test can
 * kill it with SIGKILL at any moment. Resumes from the journal position the target recorded; any
 * transaction read again is skipped by its GTID. Prints {@code DONE <applied set>} at the end.
 *
 * <p>Arguments: target JDBC URL, journal directory, {@code oldest} to read the journal from its
 * start (every applied transaction is then skipped by GTID) instead of the recorded position, and
 * optionally the most not yet applied transactions per second to apply (0: no limit). The limit lets a test kill the
 * process many times at random moments without the stream running out on a fast machine.
 */
public final class CrashApplyMain {
  private CrashApplyMain() {
  }

  public static void main(String[] args) throws Exception {
    String url = args[0];
    Path journal = Path.of(args[1]);
    ApplyConfig config = ApplyConfig.defaults("crash", "journal-1")
        .withGrouping(new ApplyConfig.Grouping(7, 64 * 1024, Duration.ofMillis(20)));
    try (Applier applier = JdbcApplier.open(config, () -> DriverManager.getConnection(url))) {
      ReplicaPosition at = applier.position();
      System.out.println("START " + at.applied() + " at " + at.journalPosition().map(Object::toString).orElse("(oldest)"));
      boolean fromOldest = args.length > 2 && args[2].equals("oldest");
      long perSecond = args.length > 3 ? Long.parseLong(args[3]) : 0;
      long started = System.nanoTime();
      long read = 0;
      try (JournalReader reader = at.journalPosition().isPresent() && !fromOldest
          ? JournalReader.openAt(journal, at.journalPosition().get())
          : JournalReader.openAtOldest(journal)) {
        Optional<JournalTransaction> next;
        while ((next = reader.next(Duration.ZERO)).isPresent()) {
          JournalTransaction tx = next.get();
          applier.apply(tx, tx.nextPosition()); // a chunked one is streamed from the journal
          if (perSecond == 0 || at.applied().contains(tx.gtid())) {
            continue; // only new work is paced: rereading what is applied goes at full speed
          }
          long ahead = ++read * 1_000_000_000L / perSecond - (System.nanoTime() - started);
          if (ahead > 1_000_000) {
            Thread.sleep(ahead / 1_000_000);
          }
        }
      }
      applier.flush();
      System.out.println("DONE " + applier.position().applied() + " skipped " + applier.skippedTransactions());
    }
  }
}
