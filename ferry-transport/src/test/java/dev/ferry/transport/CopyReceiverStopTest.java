package dev.ferry.transport;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.journal.JournalConfig;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A pulling link stopped in the middle of a pass (its read cut off by the interrupt of
 * {@link CopyReceiver#close()}) stops quietly; a pass that fails while the link runs is an ERROR.
 */
@Timeout(60)
class CopyReceiverStopTest {
  @TempDir Path copy;
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger log = (Logger) LoggerFactory.getLogger(CopyReceiver.class);

  @BeforeEach
  void capture() {
    lines.start();
    log.addAppender(lines);
  }

  @AfterEach
  void release() {
    log.detachAppender(lines);
  }

  @Test
  void aPassCutOffByCloseIsNotLoggedAsAFailure() throws Exception {
    CountDownLatch inPass = new CountDownLatch(1);
    CopyReceiver r = CopyReceiver.start(JournalConfig.defaults(copy), new Source(copy -> {
      inPass.countDown();
      try {
        Thread.sleep(Duration.ofMinutes(1));
      } catch (InterruptedException e) {
        throw new ClosedByInterruptException(); // as a FileChannel read or write interrupted mid-segment
      }
    }));
    assertThat(inPass.await(20, TimeUnit.SECONDS)).isTrue();
    r.close();
    assertThat(errors()).as("stopping is no failure").isEmpty();
    assertThat(r.status().state()).isEqualTo(LinkState.STOPPED);
  }

  @Test
  void aPassThatFailsWhileTheLinkRunsIsAnError() throws Exception {
    CountDownLatch failed = new CountDownLatch(2);
    CopyReceiver r = CopyReceiver.start(JournalConfig.defaults(copy), new Source(copy -> {
      failed.countDown();
      throw new IOException("the server went away");
    }));
    assertThat(failed.await(20, TimeUnit.SECONDS)).isTrue();
    r.close();
    assertThat(errors()).singleElement().asString().contains("the server went away; trying again");
  }

  private List<String> errors() {
    synchronized (lines) { // AppenderBase.doAppend holds the appender's lock while it adds
      return lines.list.stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
          .toList();
    }
  }

  /** One pass of a fake source. */
  @FunctionalInterface
  private interface Pass {
    void run(SegmentSource.Copy copy) throws IOException;
  }

  private record Source(Pass pass) implements SegmentSource {
    @Override
    public String name() {
      return "fake";
    }

    @Override
    public String kind() {
      return "http";
    }

    @Override
    public Duration pollInterval() {
      return Duration.ofMillis(10);
    }

    @Override
    public Duration retryMax() {
      return Duration.ofMillis(20);
    }

    @Override
    public void pass(Copy copy) throws IOException {
      pass.run(copy);
    }
  }
}
