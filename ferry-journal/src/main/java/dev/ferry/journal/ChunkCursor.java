package dev.ferry.journal;

import dev.ferry.journal.FrameReader.Status;
import dev.ferry.journal.SegmentFormat.RecordType;
import dev.ferry.journal.codec.ByteSource;
import dev.ferry.journal.codec.RecordCodec;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import java.io.IOException;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Streams the changes of a committed chunked transaction: starts at the first chunk the COMMIT
 * record points to and walks forward to the COMMIT, taking the CHUNK records of this GTID (of a
 * streamed transaction: the streamed CHUNK records of its stream key) in index order and holding
 * one decoded chunk at a time, leaving out the changes its COMMIT says were dropped. All of it lies
 * before a commit that is already durable, so any missing or bad byte is corruption. Not thread-safe.
 */
final class ChunkCursor implements ChangeCursor {
  private final SegmentLocator locator;
  private final Gtid gtid;
  /** The GTID field of its chunks: its GTID, or its stream key. */
  private final Gtid key;
  private final boolean streamed;
  private final RecordCodec.CommitInfo info;
  private final JournalPosition commit;
  private FrameReader frames;
  private long segment;
  private int nextChunk;
  private long delivered;
  /** Changes read from chunks so far, dropped ones included. */
  private long read;
  private int nextDropped;
  private List<Change> chunk = List.of();
  private int inChunk;
  private Change current;

  ChunkCursor(SegmentLocator locator, Gtid gtid, RecordCodec.CommitInfo info, JournalPosition commit) {
    this.locator = locator;
    this.gtid = gtid;
    this.info = info;
    this.key = info.streamKey().orElse(gtid);
    this.streamed = info.streamKey().isPresent();
    this.commit = commit;
    this.segment = info.firstChunk().segment();
  }

  @Override
  public boolean advance() throws IOException {
    while (true) {
      while (inChunk == chunk.size()) {
        if (nextChunk == info.chunkCount()) {
          finish();
          return false;
        }
        chunk = readChunk();
        inChunk = 0;
      }
      long index = read++;
      Change next = chunk.get(inChunk++);
      if (!dropped(index)) {
        current = next;
        delivered++;
        return true;
      }
    }
  }

  private boolean dropped(long index) {
    List<RecordCodec.DroppedRange> ranges = info.dropped();
    while (nextDropped < ranges.size() && ranges.get(nextDropped).to() <= index) {
      nextDropped++;
    }
    return nextDropped < ranges.size() && ranges.get(nextDropped).from() <= index;
  }

  @Override
  public Change current() {
    if (current == null) {
      throw new NoSuchElementException("advance() first (or the cursor is at its end)");
    }
    return current;
  }

  private void finish() throws IOException {
    current = null;
    close();
    if (read != info.changeCount()) {
      throw new JournalCorruptionException(locator.dir.resolve(SegmentFiles.openName(commit.segment())),
          commit.offset(), "COMMIT of " + gtid + " counts " + info.changeCount() + " changes in "
              + info.chunkCount() + " chunks, its chunks hold " + read);
    }
  }

  private List<Change> readChunk() throws IOException {
    while (true) {
      if (frames == null) {
        openSegment();
      }
      if (new JournalPosition(segment, frames.offset).compareTo(commit) > 0) {
        throw missingChunk();
      }
      Status status = frames.next(frames.size());
      if (status == Status.END && segment < commit.segment()) {
        frames.close();
        frames = null;
        segment++;
      } else if (status != Status.RECORD) {
        throw frames.corruption("while streaming chunks of " + gtid + ": " + (status == Status.END
            ? "segment ends before its COMMIT" : frames.problem));
      } else if (frames.type == RecordType.COMMIT && frames.gtid.equals(gtid)) {
        throw missingChunk();
      } else if (frames.type == RecordType.CHUNK && frames.gtid.equals(key) && frames.streamed() == streamed) {
        return decodeChunk();
      }
    }
  }

  private void openSegment() throws IOException {
    Optional<FrameReader> opened = locator.open(segment, info.firstChunk());
    frames = opened.orElseThrow(() -> new JournalCorruptionException(
        locator.dir.resolve(SegmentFiles.openName(segment)), 0, "segment " + segment + " holding chunks of "
            + gtid + " is not there"));
    if (segment == info.firstChunk().segment()) {
      frames.seek(info.firstChunk().offset());
    }
  }

  private List<Change> decodeChunk() throws IOException {
    try {
      ByteSource in = frames.payload();
      int index = RecordCodec.readChunkIndex(in);
      if (index != nextChunk) {
        throw frames.corruption("chunk " + index + " of " + gtid + " where chunk " + nextChunk + " was expected");
      }
      nextChunk++;
      return RecordCodec.readChanges(in, frames.header.version());
    } catch (ByteSource.MalformedRecordException e) {
      throw frames.corruption("chunk of " + gtid + " does not decode: " + e.getMessage());
    }
  }

  private JournalCorruptionException missingChunk() {
    return frames.corruption("chunk " + nextChunk + " of " + info.chunkCount() + " of " + gtid
        + " not found before its COMMIT at " + commit);
  }

  @Override
  public void close() throws IOException {
    if (frames != null) {
      frames.close();
      frames = null;
    }
  }
}
