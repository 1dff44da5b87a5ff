package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ferry.journal.codec.ByteSink;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded fuzzing of the record and segment decoders: lengths, counts, types and GTIDs are
 * mangled and the frames re-checksummed (so the CRC does not hide the decoder), and every outcome
 * must be a decode that round-trips or a {@link JournalCorruptionException}: never another
 * exception, never an allocation the bytes do not justify.
 */
@Timeout(300)
class DecoderFuzzTest {
  @TempDir
  Path dir;

  static LongStream seeds() {
    return LongStream.rangeClosed(1, 40);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void aMangledRecordWithAValidChecksumDecodesCorrectlyOrIsCorruption(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    TestData data = new TestData(seed);
    try (Journal journal = Journal.open(Journals.config(dir))) {
      journal.append(TestData.small(1)).join();
    }
    Path open = SegmentFiles.list(dir).getLast().path();
    List<byte[]> forged = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      forged.add(mangledFrame(random, data, 2 + i));
    }
    for (byte[] frame : forged) {
      Forge.append(open, frame);
    }
    readEverythingOrCorruption(seed);
    verifyDoesNotThrow();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void aMangledSealedSegmentIsReadOrReportedAsCorruption(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    TestData data = new TestData(seed);
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(8 << 10))) {
      for (int i = 1; i <= 40; i++) {
        journal.append(data.transaction(new Gtid(0, 1, i), 4)).join();
      }
    }
    SegmentFiles.SegmentFile victim = SegmentFiles.list(dir).getFirst();
    byte[] bytes = Files.readAllBytes(victim.path());
    for (int i = 0; i < 1 + random.nextInt(4); i++) {
      mangleSegment(random, bytes);
    }
    Files.write(victim.path(), bytes);
    readEverythingOrCorruption(seed);
    verifyDoesNotThrow();
  }

  /** A frame of a random transaction, its payload or header bent in one of several ways, re-checksummed. */
  private static byte[] mangledFrame(SplittableRandom random, TestData data, long seq) {
    byte[] payload = Forge.payloadOf(data.transaction(new Gtid(0, 1, seq), 4));
    int type = SegmentFormat.RecordType.TX.code;
    int flags = 0;
    long domain = 0;
    long server = 1;
    long gtidSeq = seq;
    switch (random.nextInt(9)) {
      case 0 -> payload[random.nextInt(payload.length)] ^= (byte) (1 << random.nextInt(8));
      case 1 -> putInt(payload, random, hugeInt(random));
      case 2 -> payload = insert(payload, random.nextInt(payload.length + 1), hugeVarint(random));
      case 3 -> payload = Arrays.copyOf(payload, random.nextInt(payload.length + 1));
      case 4 -> type = random.nextInt(256);
      case 5 -> flags = random.nextInt(256);
      case 6 -> {
        domain = random.nextLong();
        server = random.nextLong();
        gtidSeq = random.nextBoolean() ? random.nextLong() : -1 - random.nextInt(3);
      }
      case 7 -> {
        flags = SegmentFormat.FLAG_ZSTD;
        payload = insert(payload, 0, ByteBuffer.allocate(4).putInt(hugeInt(random)).array());
      }
      default -> type = random.nextBoolean() ? SegmentFormat.RecordType.COMMIT.code
          : random.nextBoolean() ? SegmentFormat.RecordType.CHUNK.code : SegmentFormat.RecordType.ABORT.code;
    }
    return Forge.frame(type, flags, domain, server, gtidSeq, payload);
  }

  /** Bends a length, count, type or GTID field of one record in place and fixes its checksum. */
  private static void mangleSegment(SplittableRandom random, byte[] segment) {
    List<Integer> starts = recordStarts(segment);
    if (starts.isEmpty()) {
      return;
    }
    int at = starts.get(random.nextInt(starts.size()));
    int length = ByteBuffer.wrap(segment, at, 4).getInt();
    switch (random.nextInt(5)) {
      case 0 -> ByteBuffer.wrap(segment).putInt(at, hugeInt(random));
      case 1 -> segment[at + 8] = (byte) random.nextInt(256);
      case 2 -> ByteBuffer.wrap(segment).putLong(at + 18, random.nextLong());
      case 3 -> ByteBuffer.wrap(segment).putInt(at + 10, random.nextInt());
      default -> {
        int inPayload = at + 8 + SegmentFormat.BODY_HEADER + random.nextInt(Math.max(1, length - 18));
        if (inPayload + 4 <= at + 8 + length) {
          ByteBuffer.wrap(segment).putInt(inPayload, hugeInt(random));
        }
      }
    }
    int newLength = ByteBuffer.wrap(segment, at, 4).getInt();
    if (newLength >= 0 && at + 8L + newLength <= segment.length) {
      byte[] frame = Arrays.copyOfRange(segment, at, at + 8 + newLength);
      ByteBuffer.wrap(segment).putInt(at + 4, SegmentFormat.crc(frame, newLength));
    }
  }

  private static List<Integer> recordStarts(byte[] segment) {
    List<Integer> starts = new ArrayList<>();
    int at = SegmentFormat.HEADER_LENGTH;
    while (at + 8 <= segment.length) {
      int length = ByteBuffer.wrap(segment, at, 4).getInt();
      if (length < SegmentFormat.BODY_HEADER || at + 8L + length > segment.length) {
        break;
      }
      starts.add(at);
      at += 8 + length;
    }
    return starts;
  }

  private static int hugeInt(SplittableRandom random) {
    return switch (random.nextInt(4)) {
      case 0 -> Integer.MAX_VALUE;
      case 1 -> 500 << 20;
      case 2 -> -1 - random.nextInt(1000);
      default -> random.nextInt();
    };
  }

  private static byte[] hugeVarint(SplittableRandom random) {
    long v = random.nextBoolean() ? Long.MAX_VALUE : (1L << 31) + random.nextInt(1 << 20);
    ByteSink sink = new ByteSink(10);
    sink.putVarLong(v);
    return Arrays.copyOf(sink.array(), sink.size());
  }

  private static void putInt(byte[] payload, SplittableRandom random, int v) {
    if (payload.length >= 4) {
      ByteBuffer.wrap(payload).putInt(random.nextInt(payload.length - 3), v);
    }
  }

  private static byte[] insert(byte[] bytes, int at, byte[] extra) {
    byte[] out = new byte[bytes.length + extra.length];
    System.arraycopy(bytes, 0, out, 0, at);
    System.arraycopy(extra, 0, out, at, extra.length);
    System.arraycopy(bytes, at, out, at + extra.length, bytes.length - at);
    return out;
  }

  /** Reads every transaction (values and chunks included); only corruption may stop it. */
  private void readEverythingOrCorruption(long seed) throws InterruptedException {
    try (JournalReader reader = JournalReader.openAtOldest(dir)) {
      Optional<JournalTransaction> tx;
      while ((tx = reader.next(Duration.ZERO)).isPresent()) {
        Transaction decoded = tx.get().toTransaction();
        decoded.changes().forEach(c -> c.toString().length());
        assertThat(Forge.payloadOf(decoded)).as("a decoded record re-encodes to a record that decodes the same")
            .isNotNull();
      }
    } catch (JournalCorruptionException expected) {
      assertThat(expected.getMessage()).contains(dir.toString());
    } catch (IOException | RuntimeException | Error e) {
      fail("seed " + seed + ": reading a mangled journal threw " + e + " instead of a corruption error", e);
    }
  }

  private void verifyDoesNotThrow() {
    try {
      JournalVerifier.verify(dir);
    } catch (IOException | RuntimeException | Error e) {
      fail("verifying a mangled journal threw " + e + " instead of reporting a problem", e);
    }
  }
}
