package dev.ferry.transport;

import dev.ferry.journal.IngestRefusedException;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalIngest;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.SegmentState;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Side;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a replica's journal copy fed from a {@link SegmentSource}, whatever the transport: on its
 * own thread it asks the source, pass after pass, for the segment the copy continues with and
 * ingests it ({@link JournalIngest}: checked first, then written whole or not at all), strictly in
 * order — a missing number is waited for ({@link LinkState#WAITING}, {@code waitingFor}), never
 * skipped. A segment the copy refuses (another journal's UUID, a gap, an overlap, a GTID it holds
 * with other content, not whole) shows as {@link LinkState#REFUSED} with the refusal naming
 * segment, offset and GTID, and is offered again at the next pass; a failed fetch shows as
 * {@link LinkState#RETRYING}, and the wait before the next pass doubles from the source's poll
 * interval up to its {@code retryMax}. After each pass the copy purges the segments every replica
 * has applied. The status counts the segments and bytes taken into the copy, and the reconnects: a
 * pass (or a segment) that got through after failed passes, when one had got through before.
 *
 * <p>A new copy takes the primary's UUID from the header of its first segment (number 1); an
 * existing copy resumes from its own end after any interruption.
 *
 * <p>Thread-safe: {@link #status()}, {@link #awaitCopy} and {@link #close()} from any thread.
 */
public final class CopyReceiver implements CopyFeed {
  private static final Logger LOG = LoggerFactory.getLogger(CopyReceiver.class);
  private final JournalConfig copy;
  private final SegmentSource source;
  private final String prefix;
  private final Thread thread;
  private final CountDownLatch created = new CountDownLatch(1);
  private final SegmentSource.Copy view = new View();
  private JournalIngest ingest;
  private long segments;
  private long bytes;
  private long reconnects;
  /** A pass got through once (the first connect); a failed pass since the last one that got through. */
  private boolean reached;
  private boolean lost;
  private volatile boolean stopping;
  private volatile LinkStatus status;

  private CopyReceiver(JournalConfig copy, SegmentSource source) {
    this.copy = copy;
    this.source = source;
    this.prefix = Side.journal(copy.directory()) + " [from " + source.name() + "] ";
    this.status = new LinkStatus(source.name(), source.kind(), LinkState.STARTING, Optional.empty(),
        Optional.empty(), Optional.empty(), 0, 0, 0, Optional.empty());
    this.thread = Thread.ofPlatform().name("ferry-receive-" + source.kind()).daemon(true).unstarted(this::run);
  }

  /** Starts receiving from {@code source} into the copy in {@code copy.directory()} (created if missing). */
  public static CopyReceiver start(JournalConfig copy, SegmentSource source) throws IOException {
    Files.createDirectories(copy.directory());
    CopyReceiver receiver = new CopyReceiver(copy, source);
    if (Files.exists(SegmentFiles.idFile(copy.directory()))) {
      receiver.ingest = JournalIngest.open(copy, JournalInspector.journalId(copy.directory()));
      receiver.created.countDown();
    }
    receiver.thread.start();
    return receiver;
  }

  @Override
  public LinkStatus status() {
    return status;
  }

  @Override
  public boolean awaitCopy(Duration timeout) throws InterruptedException {
    return created.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops after the segment in hand (it is either wholly in the copy or not at all) and releases the copy. */
  @Override
  public void close() throws IOException, InterruptedException {
    stopping = true;
    thread.interrupt();
    thread.join(TimeUnit.SECONDS.toMillis(30));
    if (ingest != null) {
      ingest.close();
    }
    status = status.stopped();
  }

  private void run() {
    Optional<String> lastLogged = Optional.empty();
    Duration wait = source.pollInterval();
    while (!stopping) {
      Optional<String> error = Optional.empty();
      LinkState state = LinkState.WAITING;
      try {
        source.pass(view);
        gotThrough();
        if (ingest != null) {
          ingest.purge();
        }
      } catch (IngestRefusedException e) {
        state = LinkState.REFUSED;
        error = Optional.of(e.withoutJournal()); // the prefix of the log line names the journal
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IOException | RuntimeException e) {
        if (stopping) {
          // close() interrupted the pass (an interrupted read, a request cut off): not a failure of the link.
          LOG.debug("{}stopped in the middle of a pass: {}", prefix, e.toString());
          return;
        }
        state = LinkState.RETRYING;
        error = Optional.of(e instanceof IOException && e.getMessage() != null ? e.getMessage() : e.toString());
      }
      lost |= error.isPresent();
      wait = error.isEmpty() ? source.pollInterval() : next(wait);
      if (error.isPresent() && !error.equals(lastLogged)) {
        LOG.error("{}{}; trying again in {} ms", prefix, error.get(), wait.toMillis());
      }
      lastLogged = error;
      publish(state, error);
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** A pass or a segment got through: after failed passes (not before the first), the link was re-established. */
  private void gotThrough() {
    if (reached && lost) {
      reconnects++;
    }
    reached = true;
    lost = false;
  }

  /** The wait after another failure: doubled, at most the source's {@code retryMax}. */
  private Duration next(Duration wait) {
    Duration doubled = wait.multipliedBy(2);
    return doubled.compareTo(source.retryMax()) > 0 ? source.retryMax() : doubled;
  }

  /**
   * The refusal of a copy in {@code dir} whose segment {@code number} is not the source's (it holds
   * other bytes, or more of it, as {@code e} says): it names the copy's GTIDs in that segment and
   * says what it means (a source re-pointed to a promoted node that holds less of the old primary's
   * history than this copy) and what to do. Any transport's receiver uses it.
   */
  public static IngestRefusedException otherHistory(Path dir, long number, IngestRefusedException e)
      throws IOException {
    Optional<SegmentInfo> held = heldSegment(dir, number);
    Optional<dev.ferry.journal.model.Gtid> first = held.flatMap(SegmentInfo::firstGtid).or(e::gtid);
    String gtids = held.map(CopyReceiver::gtids).orElse("");
    return new IngestRefusedException(dir, number, e.offset(), first, "the copy's segment " + number
        + gtids + " differs from the source's segment " + number + " (" + e.reason() + "): this copy's history "
        + "is not the source's (after a promotion: a replica node that received more of the old primary's history "
        + "than the promoted node, from " + first.map(Object::toString).orElse("that segment") + " on). It "
        + "cannot follow this source: seed it again (a new journal.dir, docs/failover.md)");
  }

  /** Segment {@code number} of the copy in {@code dir}, with its first and last GTID, if it holds it. */
  static Optional<SegmentInfo> heldSegment(Path dir, long number) throws IOException {
    return JournalInspector.list(dir).stream().filter(s -> s.number() == number).findFirst();
  }

  /** {@code " (GTIDs 0-1-50..0-1-75)"}: the GTIDs of a segment, or nothing when it holds none. */
  static String gtids(SegmentInfo held) {
    return held.firstGtid().flatMap(f -> held.lastGtid().map(l -> " (GTIDs " + f + ".." + l + ")")).orElse("");
  }

  /** The copy as the source sees it. Called on the receiver's thread only. */
  private final class View implements SegmentSource.Copy {
    @Override
    public long next() {
      return ingest == null ? 1 : ingest.end().segment();
    }

    @Override
    public void offer(long number, long records, byte[] bytes) throws IOException {
      if (ingest == null) {
        if (number != 1) {
          throw new IllegalArgumentException("a new copy starts with segment 1, not " + number);
        }
        ingest = JournalIngest.open(copy, JournalIngest.journalIdOf(copy.directory(), 1, bytes));
        created.countDown();
      }
      ingest.appendSegment(number, records, bytes);
      segments++;
      CopyReceiver.this.bytes += bytes.length;
      gotThrough();
      publish(LinkState.WAITING, Optional.empty());
    }

    @Override
    public java.util.Set<Long> held() throws IOException {
      if (ingest == null) {
        return java.util.Set.of();
      }
      return JournalInspector.list(copy.directory()).stream().filter(s -> s.state() != SegmentState.OPEN)
          .map(SegmentInfo::number).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /**
     * Other bytes for a segment the copy holds mean another history (a source re-pointed to a
     * promoted node that holds less of the old primary's history than this copy): the refusal
     * names the copy's GTIDs in that segment, the first of which the source lacks or wrote otherwise.
     */
    @Override
    public void checkHeld(long number, byte[] bytes) throws IOException {
      try {
        ingest.appendRecords(number, 0, bytes);
      } catch (IngestRefusedException e) {
        throw otherHistory(copy.directory(), number, e);
      }
    }

    @Override
    public boolean stopping() {
      return stopping;
    }
  }

  private void publish(LinkState state, Optional<String> error) {
    Optional<JournalPosition> received = Optional.ofNullable(ingest).map(JournalIngest::end);
    Optional<Long> waitingFor = state == LinkState.STOPPED ? Optional.empty()
        : Optional.of(received.map(JournalPosition::segment).orElse(1L));
    status = new LinkStatus(source.name(), source.kind(), state, received, applied(), waitingFor, segments, bytes,
        reconnects, error);
  }

  private Optional<JournalPosition> applied() {
    try {
      return Journal.consumers(copy.directory()).values().stream().min(Comparator.naturalOrder());
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
