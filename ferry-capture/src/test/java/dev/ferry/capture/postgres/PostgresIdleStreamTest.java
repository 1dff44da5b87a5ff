package dev.ferry.capture.postgres;

import static dev.ferry.capture.postgres.PgTest.exec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.capture.MemorySink;
import dev.ferry.testkit.PostgresClusterExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An idle replication stream costs (almost) nothing and still delivers a change the moment it
 * arrives: capture waits for the server's next byte instead of looking every 1–2 ms ({@link IdleWait}).
 */
@Timeout(120)
class PostgresIdleStreamTest {
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  @Test
  void anIdleStreamLooksForDataAFewTimesASecondNotHundreds() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "idle");
    exec(config, "CREATE TABLE items (id int PRIMARY KEY)");
    PostgresSetup.setup(config);
    try (Capturing capturing = Capturing.start(config, new MemorySink())) {
      exec(config, "INSERT INTO items VALUES (1)");
      capturing.awaitTransactions(1);
      Thread.sleep(500);
      IdleWait wait = capturing.capture.idleWait();
      assertThat(wait.attached()).as("the replication connection's socket is capture's own").isTrue();

      long before = wait.polls();
      Thread.sleep(2_000);
      long polls = wait.polls() - before;

      // Waiting up to 100 ms at a time: about 20 looks in 2 s (it was about 1,000: one every 2 ms).
      assertThat(polls).as("looks for data in 2 s of idleness").isBetween(1L, 60L);
      exec(config, "INSERT INTO items VALUES (2)");
      capturing.awaitTransactions(2);
    }
  }

  @Test
  void aChangeEndsTheWaitAtOnce() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "wake");
    exec(config, "CREATE TABLE items (id int PRIMARY KEY)");
    PostgresSetup.setup(config);
    // Waits of 10 s: a change seen within 2 s of its commit, three times running, ended a wait early
    // (were the wait not ended by the data, each would be seen only 0-10 s later, at random).
    System.setProperty("ferry.capture.idle-wait-ms", "10000");
    try (Capturing capturing = Capturing.start(config, new MemorySink())) {
      for (int i = 1; i <= 3; i++) {
        Thread.sleep(500);
        assertThat(capturing.capture.idleWait().stretched()).as("idle before change %d", i).isTrue();
        exec(config, "INSERT INTO items VALUES (" + i + ")");
        long committed = System.nanoTime();
        int expected = i;
        capturing.await(() -> capturing.sink.transactions().size() >= expected, "change " + i);
        assertThat(Duration.ofNanos(System.nanoTime() - committed)).as("commit to capture, change %d", i)
            .isLessThan(Duration.ofSeconds(2));
      }
    } finally {
      System.clearProperty("ferry.capture.idle-wait-ms");
    }
  }
}
