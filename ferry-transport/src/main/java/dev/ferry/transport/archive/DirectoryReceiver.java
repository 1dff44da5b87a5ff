package dev.ferry.transport.archive;

import dev.ferry.journal.IngestRefusedException;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalIngest;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Side;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.LinkState;
import dev.ferry.transport.LinkStatus;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a replica's journal copy from an incoming directory (Firebird's "log source directory"):
 * on its own thread it scans the directory for sealed segments of the primary's journal and
 * ingests them into the copy ({@link JournalIngest}) strictly in order — the segment the copy
 * continues with, never a later one, so a missing number is waited for ({@link LinkState#WAITING},
 * {@code waitingFor}) rather than skipped. A segment the copy refuses (another journal's UUID, a
 * conflict, not whole yet) is retried at every scan and shown as {@link LinkState#REFUSED} with the
 * refusal naming segment, offset and GTID; the link never skips it. A file for a segment the copy
 * already holds (a redelivery, an old segment after newer ones) is checked against the copy and
 * otherwise ignored. After each scan the copy purges the segments every replica has applied.
 *
 * <p>A new copy takes the primary's UUID from the header of its first segment (number 1). Files
 * are read whole and only ever read; the incoming directory is not changed.
 *
 * <p>Thread-safe: {@link #status()} and {@link #close()} from any thread.
 */
public final class DirectoryReceiver implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryReceiver.class);
  private final JournalConfig copy;
  private final JournalFrom.Directory from;
  private final String prefix;
  private final Thread thread;
  private final CountDownLatch created = new CountDownLatch(1);
  /** Files of segments the copy already holds, checked against it: name to size. */
  private final Map<String, Long> checked = new HashMap<>();
  private JournalIngest ingest;
  private long segments;
  private volatile boolean stopping;
  private volatile LinkStatus status;

  private DirectoryReceiver(JournalConfig copy, JournalFrom.Directory from) {
    this.copy = copy;
    this.from = from;
    this.prefix = Side.journal(copy.directory()) + " [from " + from.incoming() + "] ";
    this.status = new LinkStatus(from.incoming().toString(), "directory", LinkState.STARTING, Optional.empty(),
        Optional.empty(), Optional.empty(), 0, Optional.empty());
    this.thread = Thread.ofPlatform().name("ferry-receive-dir").daemon(true).unstarted(this::run);
  }

  /** Starts receiving into the copy in {@code copy.directory()} (created if missing). */
  public static DirectoryReceiver start(JournalConfig copy, JournalFrom.Directory from) throws IOException {
    Files.createDirectories(copy.directory());
    DirectoryReceiver receiver = new DirectoryReceiver(copy, from);
    if (Files.exists(SegmentFiles.idFile(copy.directory()))) {
      receiver.ingest = JournalIngest.open(copy, JournalInspector.journalId(copy.directory()));
      receiver.created.countDown();
    }
    receiver.thread.start();
    return receiver;
  }

  /** What the link is doing now. */
  public LinkStatus status() {
    return status;
  }

  /** Waits until the copy exists (it has its first segment, so its UUID); false when the time ran out. */
  public boolean awaitCopy(java.time.Duration timeout) throws InterruptedException {
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
    while (!stopping) {
      Optional<String> error = Optional.empty();
      LinkState state;
      try {
        state = scan();
      } catch (IngestRefusedException e) {
        state = LinkState.REFUSED;
        error = Optional.of(e.getMessage());
      } catch (IOException | RuntimeException e) {
        state = LinkState.RETRYING;
        error = Optional.of(e.toString());
      }
      if (error.isPresent() && !error.equals(lastLogged)) {
        LOG.error("{}{}; trying again every {}", prefix, error.get(), from.pollInterval());
      }
      lastLogged = error;
      publish(state, error);
      try {
        Thread.sleep(from.pollInterval().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** One pass: every segment that continues the copy, in order; then the redelivered ones; then purge. */
  private LinkState scan() throws IOException {
    Map<Long, List<Path>> offered = list();
    if (ingest == null && !open(offered)) {
      return LinkState.WAITING;
    }
    while (!stopping) {
      long next = ingest.end().segment();
      List<Path> files = offered.getOrDefault(next, List.of());
      if (files.isEmpty()) {
        break;
      }
      receive(next, files);
      publish(LinkState.WAITING, Optional.empty());
    }
    checkRedelivered(offered);
    ingest.purge();
    return LinkState.WAITING;
  }

  /** Opens a new copy with the UUID of the segment it starts with; false while that segment is not there. */
  private boolean open(Map<Long, List<Path>> offered) throws IOException {
    List<Path> first = offered.getOrDefault(1L, List.of());
    if (first.isEmpty()) {
      return false;
    }
    byte[] bytes = read(first.getFirst());
    ingest = JournalIngest.open(copy, JournalIngest.journalIdOf(copy.directory(), 1, bytes));
    created.countDown();
    return true;
  }

  /** Ingests segment {@code number} from the first of its files the copy accepts. */
  private void receive(long number, List<Path> files) throws IOException {
    IngestRefusedException refused = null;
    for (Path file : files) {
      try {
        ingest.appendSegment(number, SegmentFiles.sealedRecordCount(file).orElseThrow(), read(file));
        segments++;
        checked.put(file.getFileName().toString(), Files.size(file));
        LOG.info("{}received {}", prefix, file.getFileName());
        return;
      } catch (IngestRefusedException e) {
        refused = e;
      }
    }
    throw refused;
  }

  /**
   * A file for a segment the copy already holds is a redelivery: harmless when its bytes are the
   * copy's, refused (and shown) when they differ. Segments already purged from the copy are not
   * checked.
   */
  private void checkRedelivered(Map<Long, List<Path>> offered) throws IOException {
    long next = ingest.end().segment();
    List<Long> held = JournalInspector.list(copy.directory()).stream().map(SegmentInfo::number).toList();
    for (Map.Entry<Long, List<Path>> e : offered.entrySet()) {
      if (e.getKey() >= next || !held.contains(e.getKey())) {
        continue;
      }
      for (Path file : e.getValue()) {
        String name = file.getFileName().toString();
        long size = Files.size(file);
        if (!Long.valueOf(size).equals(checked.get(name))) {
          ingest.appendRecords(e.getKey(), 0, read(file));
          checked.put(name, size);
          LOG.info("{}{} is a redelivery of a segment the copy holds, with the same bytes: ignored", prefix, name);
        }
      }
    }
  }

  private Map<Long, List<Path>> list() throws IOException {
    Map<Long, List<Path>> offered = new HashMap<>();
    if (!Files.isDirectory(from.incoming())) {
      throw new NoSuchFileException(from.incoming().toString(), null, "the incoming directory does not exist");
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(from.incoming())) {
      for (Path file : stream) {
        OptionalLong number = SegmentFiles.sealedNumber(file);
        if (number.isPresent()) {
          offered.computeIfAbsent(number.getAsLong(), n -> new ArrayList<>()).add(file);
        }
      }
    }
    offered.values().forEach(l -> l.sort(Comparator.comparing(Path::toString)));
    return offered;
  }

  private static byte[] read(Path file) throws IOException {
    return Files.readAllBytes(file);
  }

  private void publish(LinkState state, Optional<String> error) {
    Optional<JournalPosition> received = Optional.ofNullable(ingest).map(JournalIngest::end);
    Optional<Long> waitingFor = state == LinkState.STOPPED ? Optional.empty()
        : Optional.of(received.map(JournalPosition::segment).orElse(1L));
    status = new LinkStatus(from.incoming().toString(), "directory", state, received, applied(), waitingFor,
        segments, error);
  }

  private Optional<JournalPosition> applied() {
    try {
      return Journal.consumers(copy.directory()).values().stream().min(Comparator.naturalOrder());
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
