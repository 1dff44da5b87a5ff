package dev.ferry.transport;

import dev.ferry.journal.IngestRefusedException;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalIngest;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.SegmentState;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Side;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ferry promote --fetch-from}: brings a journal copy up to what another copy of the same
 * journal holds beyond the copy's end, once, through the same {@link JournalIngest} a receiver uses
 * (every segment checked before anything is written, then written durably: whole sealed segments by
 * temp file, fsync, rename, fsync of the directory; an open segment's records appended and forced).
 *
 * <p>Before anything is taken, the copy's newest sealed segment is compared byte for byte with the
 * source's segment of that number ({@link JournalIngest#appendRecords} on a segment the copy holds:
 * the comparison a re-pointed HTTP receiver makes); a copy with an open segment is compared where
 * the source's segment overlaps it as it is continued. Other bytes are another history: refused,
 * naming the segment, the offset and the GTIDs. A source that holds nothing beyond the copy's end
 * is reported as such. A kill at any moment leaves a copy that the next fetch continues: what was
 * ingested is whole and durable, a torn open-segment tail is truncated by {@link JournalIngest#open}.
 *
 * <p>Sources: a directory of segment files ({@link #fromDirectory}: another node's journal copy,
 * a journal, an archive directory; sealed segments and an open segment's whole records), or any
 * {@link SegmentSource} run for one pass ({@link #fromSource}: an HTTP server's listing).
 * Holds the copy's {@code journal.lock} while it runs. Stateless.
 */
public final class CopyFetch {
  private static final Logger LOG = LoggerFactory.getLogger(CopyFetch.class);

  /**
   * What one source brought into the copy.
   *
   * @param source the source as the operator named it
   * @param before where the copy ended before
   * @param after where it ends now
   * @param gtids the transactions taken, in journal order
   */
  public record Fetched(String source, JournalPosition before, JournalPosition after, List<Gtid> gtids) {
    public Fetched {
      gtids = List.copyOf(gtids);
    }

    /** Whether the source held nothing beyond the copy's end. */
    public boolean nothing() {
      return before.equals(after);
    }

    /** {@code fetched 0-1-101..0-1-150 (50 transactions, segments 4..5) from c.yaml}, or that nothing was. */
    @Override
    public String toString() {
      if (nothing()) {
        return "fetched nothing from " + source + ": it holds nothing beyond this copy's end (segment "
            + before.segment() + " offset " + before.offset() + ")";
      }
      long first = before.segment();
      long last = after.offset() == 0 ? after.segment() - 1 : after.segment();
      String range = gtids.isEmpty() ? "no transaction" : gtids.getFirst() + ".." + gtids.getLast();
      return "fetched " + range + " (" + gtids.size() + " transactions, " + (first == last ? "segment " + first
          : "segments " + first + ".." + last) + ") from " + source;
    }
  }

  /** The fetch was refused: another journal, another history, or the source lacks what the copy continues with. */
  public static final class RefusedException extends IOException {
    public RefusedException(String message) {
      super(message);
    }
  }

  private CopyFetch() {
  }

  /**
   * Fetches from the segment files in {@code source} (a journal, a journal copy, an archive
   * directory), named {@code name} in messages.
   *
   * @throws RefusedException when the source is another journal's or holds another history, or no
   *     longer holds the segment the copy continues with
   */
  public static Fetched fromDirectory(JournalConfig copy, Path source, String name) throws IOException {
    if (!Files.isDirectory(source)) {
      throw new RefusedException("cannot fetch from " + name + ": " + source + " is no directory");
    }
    try (JournalIngest ingest = open(copy)) {
      if (Files.exists(SegmentFiles.idFile(source))) {
        UUID theirs = JournalInspector.journalId(source);
        if (!theirs.equals(ingest.id())) {
          throw new RefusedException("cannot fetch from " + name + ": " + source + " holds journal " + theirs
              + ", this is a copy of journal " + ingest.id());
        }
      }
      SortedMap<Long, Path> files = JournalInspector.segmentFiles(source);
      JournalPosition before = ingest.end();
      long newest = before.segment() - 1;
      if (before.offset() == 0 && heldSealed(copy.directory()).contains(newest) && files.containsKey(newest)) {
        compare(ingest, newest, bytes(files.get(newest), newest, ingest.id()), name);
      }
      long next = before.segment();
      if (!files.isEmpty() && files.lastKey() > next && !files.containsKey(next)) {
        throw new RefusedException("cannot fetch from " + name + ": it no longer holds segment " + next + ", which"
            + " this copy continues with (it holds segments " + files.firstKey() + ".." + files.lastKey() + "; keep"
            + " them on that node with journal.serve.http.consumers)");
      }
      for (; files.containsKey(next); next++) {
        Path file = files.get(next);
        try {
          if (SegmentFiles.isOpenSegment(file)) {
            byte[] whole = JournalInspector.wholeRecords(file, next, ingest.id());
            if (whole.length > 0) {
              ingest.appendRecords(next, 0, whole);
            }
            break;
          }
          ingest.appendSegment(next, SegmentFiles.sealedRecordCount(file).orElseThrow(), Files.readAllBytes(file));
        } catch (IngestRefusedException e) {
          throw refused(name, e);
        }
      }
      return fetched(copy.directory(), name, before, ingest.end());
    }
  }

  /**
   * Fetches what {@code source} offers in one {@link SegmentSource#pass} (an HTTP server's sealed
   * segments; the source compares the copy's newest segment first), named {@code name} in messages.
   *
   * @throws RefusedException when the source holds another journal or another history
   * @throws IOException when fetching failed (the copy keeps what was taken; fetch again)
   */
  public static Fetched fromSource(JournalConfig copy, SegmentSource source, String name)
      throws IOException, InterruptedException {
    try (JournalIngest ingest = open(copy)) {
      JournalPosition before = ingest.end();
      try {
        source.pass(new View(ingest, name));
      } catch (IngestRefusedException e) {
        throw refused(name, e);
      }
      return fetched(copy.directory(), name, before, ingest.end());
    }
  }

  private static JournalIngest open(JournalConfig copy) throws IOException {
    Path dir = copy.directory();
    if (!Files.exists(SegmentFiles.idFile(dir))) {
      throw new RefusedException("journal " + dir + " holds no journal copy yet: nothing to fetch into");
    }
    return JournalIngest.open(copy, JournalInspector.journalId(dir));
  }

  private static Set<Long> heldSealed(Path dir) throws IOException {
    return JournalInspector.list(dir).stream().filter(s -> s.state() != SegmentState.OPEN)
        .map(SegmentInfo::number).collect(Collectors.toUnmodifiableSet());
  }

  private static byte[] bytes(Path file, long number, UUID id) throws IOException {
    return SegmentFiles.isOpenSegment(file) ? JournalInspector.wholeRecords(file, number, id) : Files.readAllBytes(file);
  }

  /** The copy's sealed segment {@code number} against the source's bytes of it: the same, or another history. */
  private static void compare(JournalIngest ingest, long number, byte[] theirs, String name) throws IOException {
    try {
      ingest.appendRecords(number, 0, theirs);
    } catch (IngestRefusedException e) {
      String held = CopyReceiver.heldSegment(ingest.directory(), number).map(CopyReceiver::gtids).orElse("");
      throw new RefusedException("cannot fetch from " + name + ": it holds another history than this copy: its "
          + "segment " + number + " is not the copy's newest segment " + number + held + " (" + e.withoutJournal()
          + "); nothing was fetched from it");
    }
  }

  private static RefusedException refused(String name, IngestRefusedException e) {
    return new RefusedException("cannot fetch from " + name + ": " + e.withoutJournal() + " (another history, "
        + "another journal or a damaged file); what was fetched before it is kept");
  }

  private static Fetched fetched(Path dir, String name, JournalPosition before, JournalPosition after)
      throws IOException {
    List<Gtid> gtids = new ArrayList<>();
    if (!before.equals(after)) {
      try (JournalReader reader = JournalReader.openAt(dir, before)) {
        for (Optional<JournalTransaction> t = reader.next(Duration.ZERO); t.isPresent(); t = reader.next(Duration.ZERO)) {
          gtids.add(t.get().gtid());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while counting what was fetched", e);
      }
    }
    Fetched f = new Fetched(name, before, after, gtids);
    LOG.info("{} {}", Side.journal(dir), f);
    return f;
  }

  /** The copy as a one-pass source sees it. */
  private record View(JournalIngest ingest, String name) implements SegmentSource.Copy {
    @Override
    public long next() {
      return ingest.end().segment();
    }

    @Override
    public void offer(long number, long records, byte[] bytes) throws IOException {
      ingest.appendSegment(number, records, bytes);
    }

    @Override
    public Set<Long> held() throws IOException {
      return heldSealed(ingest.directory());
    }

    @Override
    public void checkHeld(long number, byte[] bytes) throws IOException {
      compare(ingest, number, bytes, name);
    }

    @Override
    public boolean stopping() {
      return false;
    }
  }
}
