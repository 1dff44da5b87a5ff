package dev.ferry.transport.push;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.LinkState;
import dev.ferry.transport.SharedSecret;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Stopping either end of a push link on purpose (its node stops) is logged by the other end as a
 * stop, not as an ERROR: the stopping end says so in an ERROR frame starting {@code stopping: }
 * before it closes; the supplier's refused reconnects after that are a warning. A connection that
 * just ends, as after a crash, is still an ERROR.
 */
@Timeout(60)
class PushStopLoggingTest {
  private static final SharedSecret SECRET = new SharedSecret("correct horse battery staple");
  // Heartbeats every 100 ms; a link silent for 5 s is dead. No test here waits for that timeout (each
  // closes or drops the connection), and 1 s of silence is a pause a loaded machine can take: a spurious
  // timeout there would add a reconnect (and an ERROR) to the exact counts the tests check.
  private static final LinkTiming FAST = new LinkTiming(Duration.ofMillis(100), Duration.ofMillis(5000),
      Duration.ofMillis(200), 1 << 20);
  @TempDir Path primary;
  @TempDir Path copy;
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

  @BeforeEach
  void capture() {
    lines.start();
    for (Class<?> c : List.of(PushReceiver.class, PushSupplier.class)) {
      ((Logger) LoggerFactory.getLogger(c)).addAppender(lines);
    }
  }

  @AfterEach
  void release() {
    for (Class<?> c : List.of(PushReceiver.class, PushSupplier.class)) {
      ((Logger) LoggerFactory.getLogger(c)).detachAppender(lines);
    }
  }

  @Test
  void aSupplierStoppedMidStreamIsLoggedByTheReceiverAsAStop() throws Exception {
    try (Journal journal = Journal.open(JournalConfig.defaults(primary).withSegmentBytes(4096));
        PushReceiver r = receiver(0)) {
      PushSupplier s = PushSupplier.start(journal, target(r));
      JournalPosition end = journal.append(Transactions.accounts(1)).join();
      await("the copy holds the first transaction", () -> s.acked().map(p -> p.compareTo(end) > 0).orElse(false));
      s.close();
      await("the receiver noticed", () -> r.status().state() == LinkState.WAITING);
      assertThat(logged(Level.INFO)).as("said as a stop")
          .anySatisfy(l -> assertThat(l).contains("the supplier closed the link: stopping: "));
      assertThat(logged(Level.ERROR)).as("no error for a deliberate stop").isEmpty();
      assertThat(r.status().lastError()).isEmpty();
    }
  }

  @Test
  void aReceiverStoppedMidStreamIsLoggedByTheSupplierAsAStop() throws Exception {
    try (Journal journal = Journal.open(JournalConfig.defaults(primary).withSegmentBytes(4096))) {
      PushReceiver r = receiver(0);
      try (PushSupplier s = PushSupplier.start(journal, target(r))) {
        JournalPosition end = journal.append(Transactions.accounts(1)).join();
        await("the copy holds the first transaction", () -> s.acked().map(p -> p.compareTo(end) > 0).orElse(false));
        r.close();
        await("the supplier noticed", () -> logged(Level.INFO).stream()
            .anyMatch(l -> l.contains("the replica node closed the link: stopping: ")));
        // Connecting again then finds nothing listening: expected after the node said it stops, so a
        // warning (an outage to watch), not an ERROR that pages someone for a planned restart.
        await("the refused reconnect was logged", () -> logged(Level.WARN).stream()
            .anyMatch(l -> l.contains("the replica node, which said it stops, is not listening")));
        assertThat(logged(Level.ERROR)).as("no error for the stop or the refused reconnects").isEmpty();
      }
    }
  }

  @Test
  void aConnectionThatJustEndsIsStillAnError() throws Exception {
    try (PushReceiver r = receiver(0)) {
      new Socket("127.0.0.1", r.port()).close(); // a supplier gone without a word, as after kill -9
      await("the receiver logged it", () -> !logged(Level.ERROR).isEmpty());
      assertThat(logged(Level.ERROR)).singleElement().asString().contains("connection closed at byte 0");
    }
  }

  private PushReceiver receiver(int port) throws Exception {
    return PushReceiver.start(JournalConfig.defaults(copy), new JournalFrom.Listen("127.0.0.1", port, SECRET,
        Optional.empty(), FAST), Set.of());
  }

  private static PushTarget target(PushReceiver r) {
    return new PushTarget("r1", "127.0.0.1", r.port(), SECRET, Optional.empty(), FAST, SyncLevel.NONE,
        PushTarget.DEFAULT_SYNC_TIMEOUT);
  }

  private List<String> logged(Level level) {
    synchronized (lines) { // AppenderBase.doAppend holds the appender's lock while it adds
      return lines.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  private void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what + "; logged: " + logged(Level.INFO)
            + logged(Level.WARN) + logged(Level.ERROR));
      }
      Thread.sleep(20);
    }
  }
}
