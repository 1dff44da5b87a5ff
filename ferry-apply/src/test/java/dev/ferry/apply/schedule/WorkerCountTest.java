package dev.ferry.apply.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.testkit.SqliteDatabase;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/**
 * The number of parallel apply workers: {@code apply.workers} when set; unset, one for a target
 * that takes one writer at a time and one per two cores, 1 to 4, for the others.
 */
class WorkerCountTest {
  @Test
  void aTargetThatTakesOneWriterAtATimeGetsOneWorkerWhateverTheCores() {
    for (int cores : new int[] {1, 2, 8, 64}) {
      WorkerCount count = WorkerCount.chosen(false, "SQLite", cores);
      assertThat(count.workers()).isEqualTo(1);
      assertThat(count.why()).isEqualTo("apply.workers not set: a SQLite target takes one writer at a time");
    }
  }

  @Test
  void aTargetWithConcurrentWritersGetsOneWorkerPerTwoCoresFromOneToFour() {
    int[][] coresToWorkers = {{1, 1}, {2, 1}, {3, 1}, {4, 2}, {6, 3}, {8, 4}, {16, 4}, {128, 4}};
    for (int[] pair : coresToWorkers) {
      assertThat(WorkerCount.chosen(true, "PostgreSQL", pair[0]).workers()).as("%d cores", pair[0])
          .isEqualTo(pair[1]);
    }
    assertThat(WorkerCount.chosen(true, "MariaDB", 8).why())
        .isEqualTo("apply.workers not set: one per two of this machine's 8 cores, at most 4, for a MariaDB target");
  }

  @Test
  void aSetNumberIsTakenAsItIsAndSaysSo() throws Exception {
    try (SqliteDatabase lite = SqliteDatabase.create(); Connection c = lite.connect()) {
      Dialect sqlite = Dialect.of(c);
      assertThat(WorkerCount.of(new ApplyConfig.Parallel(3), sqlite, 2))
          .isEqualTo(new WorkerCount(3, "set by apply.workers"));
      assertThat(WorkerCount.of(ApplyConfig.Parallel.CHOSEN, sqlite, 16).workers()).isEqualTo(1);
    }
  }
}
