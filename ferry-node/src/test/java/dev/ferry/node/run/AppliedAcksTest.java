package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.transport.CopyFeed;
import dev.ferry.transport.LinkStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a replica runner tells of its commits: the journal's consumer position at most once per
 * interval whatever happens, and a report of every commit to the node's push receiver only while a
 * primary waits for it (level {@code apply}) — the interval (an hour here) never delays that.
 */
class AppliedAcksTest {
  private static final Duration HOUR = Duration.ofHours(1);
  @TempDir Path dir;
  private Instant now = Instant.parse("2026-12-06T22:00:00Z");
  private final InstantSource clock = () -> now;

  /** A feed that records the reports; whether a primary waits is up to the test. */
  private static final class Feed implements CopyFeed {
    boolean awaits;
    final List<JournalPosition> reports = new ArrayList<>();

    @Override
    public boolean awaitsApplied() {
      return awaits;
    }

    @Override
    public void applied(String replica, JournalPosition position) {
      assertThat(replica).isEqualTo("pg");
      reports.add(position);
    }

    @Override
    public LinkStatus status() {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean awaitCopy(Duration timeout) {
      return true;
    }

    @Override
    public void close() {
    }
  }

  @Test
  void aWaitingPrimaryHearsOfEveryCommitAtOnceWhileTheConsumerFileIsWrittenOncePerInterval() throws Exception {
    Feed feed = new Feed();
    try (Journal journal = Journal.open(JournalConfig.defaults(dir))) {
      AppliedAcks acks = new AppliedAcks(new ApplySource(Optional.of(journal), dir, journal.id().toString(), 1,
          r -> { }, Optional.of(feed)), "pg", clock, HOUR);
      acks.committed(new JournalPosition(1, 100), new Gtid(0, 1, 1));
      assertThat(journal.consumers().get("pg")).as("the first commit is written").isEqualTo(new JournalPosition(1, 100));
      assertThat(feed.reports).as("no primary waits: nothing reported").isEmpty();

      feed.awaits = true;
      for (int i = 2; i <= 4; i++) {
        now = now.plusSeconds(1);
        acks.committed(new JournalPosition(1, 100L * i), new Gtid(0, 1, i));
      }
      acks.committed(new JournalPosition(1, 400), new Gtid(0, 1, 4)); // nothing more committed: no new report
      assertThat(feed.reports).as("each commit reported once, at once").containsExactly(new JournalPosition(1, 200),
          new JournalPosition(1, 300), new JournalPosition(1, 400));
      assertThat(acks.reports()).isEqualTo(3);
      assertThat(journal.consumers().get("pg")).as("the interval is not over: the file is as it was")
          .isEqualTo(new JournalPosition(1, 100));

      feed.awaits = false;
      now = now.plus(HOUR);
      acks.committed(new JournalPosition(1, 500), new Gtid(0, 1, 5));
      assertThat(feed.reports).as("the primary no longer waits").hasSize(3);
      assertThat(journal.consumers().get("pg")).as("written once the interval passed")
          .isEqualTo(new JournalPosition(1, 500));

      // An idle replica: the interval passes with the same position; the file is not written again
      // (removed here to see whether it comes back).
      journal.removeConsumer("pg");
      now = now.plus(HOUR);
      acks.committed(new JournalPosition(1, 500), new Gtid(0, 1, 5));
      assertThat(journal.consumers()).as("an unchanged position is not written again").doesNotContainKey("pg");
      acks.committed(new JournalPosition(1, 550), new Gtid(0, 1, 6));
      assertThat(journal.consumers().get("pg")).as("a moved one is").isEqualTo(new JournalPosition(1, 550));
      acks.flush(new JournalPosition(1, 600), new Gtid(0, 1, 7));
      assertThat(journal.consumers().get("pg")).as("written when the runner stops").isEqualTo(new JournalPosition(1, 600));
    }
  }
}
