package dev.ferry.journal;

import dev.ferry.journal.SegmentFiles.SegmentFile;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongFunction;

/** Primary journals to copy by ingest, and what tests compare a copy by. */
final class IngestFixture {
  private IngestFixture() {
  }

  /** Writes {@code count} transactions from {@code firstSeq} into the journal in {@code dir}; returns its id. */
  static UUID primary(Path dir, long segmentBytes, long firstSeq, int count, LongFunction<Transaction> tx)
      throws IOException {
    try (Journal journal = Journal.open(JournalConfig.defaults(dir).withSegmentBytes(segmentBytes))) {
      for (long seq = firstSeq; seq < firstSeq + count; seq++) {
        journal.append(tx.apply(seq)).join();
      }
      return journal.id();
    }
  }

  /** A second journal with the same UUID as {@code id} (what a forged or diverged primary would be). */
  static void sameIdentity(Path dir, UUID id) throws IOException {
    Files.createDirectories(dir);
    JournalIdentity.create(dir, id);
  }

  static List<SegmentFile> segments(Path dir) throws IOException {
    return SegmentFiles.list(dir);
  }

  /** Record boundaries (offsets) of a segment file, the end included. */
  static List<Long> boundaries(Path file, long segment) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    List<Long> offsets = new ArrayList<>();
    for (IngestFrames.Frame f : new IngestFrames(file.getParent(), segment)
        .parse(bytes, SegmentFormat.HEADER_LENGTH, SegmentFormat.HEADER_LENGTH)) {
      offsets.add(f.offset());
    }
    offsets.add((long) bytes.length);
    return offsets;
  }

  /** Copies the whole primary: sealed segments whole, the open one as records in two pieces. */
  static void copyAll(Path primary, JournalIngest copy) throws IOException {
    for (SegmentFile s : segments(primary)) {
      byte[] bytes = Files.readAllBytes(s.path());
      if (!s.open()) {
        copy.appendSegment(s.number(), bytes);
        continue;
      }
      List<Long> cuts = boundaries(s.path(), s.number());
      int middle = (int) (long) cuts.get(cuts.size() / 2);
      copy.appendRecords(s.number(), 0, java.util.Arrays.copyOfRange(bytes, 0, middle));
      copy.appendRecords(s.number(), middle, java.util.Arrays.copyOfRange(bytes, middle, bytes.length));
    }
  }

  /** What a reader sees: each transaction's position, GTID and next position. */
  record Seen(JournalPosition position, Gtid gtid, JournalPosition next) {
  }

  static List<Seen> read(Path dir) throws IOException, InterruptedException {
    List<Seen> seen = new ArrayList<>();
    try (JournalReader reader = JournalReader.openAtOldest(dir)) {
      Optional<JournalTransaction> tx;
      while ((tx = reader.next(Duration.ZERO)).isPresent()) {
        seen.add(new Seen(tx.get().position(), tx.get().gtid(), tx.get().nextPosition()));
      }
    }
    return seen;
  }
}
