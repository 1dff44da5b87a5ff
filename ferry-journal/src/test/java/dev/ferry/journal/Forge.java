package dev.ferry.journal;

import dev.ferry.journal.codec.ByteSink;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/** Builds record frames with any content and a valid checksum: what a forger or a bug writes. */
final class Forge {
  private Forge() {
  }

  /** A frame of any type code, flags and GTID fields around {@code payload}, checksummed. */
  static byte[] frame(int typeCode, int flags, long domain, long server, long seq, byte[] payload) {
    int length = SegmentFormat.BODY_HEADER + payload.length;
    byte[] frame = new byte[SegmentFormat.FRAME_PREFIX + length];
    ByteBuffer b = ByteBuffer.wrap(frame);
    b.putInt(length).putInt(0).put((byte) typeCode).put((byte) flags);
    b.putInt((int) domain).putInt((int) server).putLong(seq);
    b.put(payload);
    b.putInt(4, SegmentFormat.crc(frame, length));
    return frame;
  }

  /** A TX frame whose payload claims {@code claimed} bytes uncompressed and holds a few bytes of zstd. */
  static byte[] compressedClaiming(long seq, int claimed) {
    byte[] payload = new byte[4 + 80];
    ByteBuffer.wrap(payload).putInt(claimed);
    // A real zstd frame magic, then junk: the length must be refused before any of it is read.
    ByteBuffer.wrap(payload, 4, 4).putInt(0x28B52FFD);
    return frame(SegmentFormat.RecordType.TX.code, SegmentFormat.FLAG_ZSTD, 0, 1, seq, payload);
  }

  /** The uncompressed payload the writer makes for {@code tx}. */
  static byte[] payloadOf(Transaction tx) {
    byte[] frame = RecordFrames.transaction(tx);
    byte[] body = Arrays.copyOfRange(frame, SegmentFormat.FRAME_PREFIX, frame.length);
    if ((body[1] & SegmentFormat.FLAG_ZSTD) == 0) {
      return Arrays.copyOfRange(body, SegmentFormat.BODY_HEADER, body.length);
    }
    ByteSink out = new ByteSink(1024);
    int n = SegmentFormat.decompress(body, body.length, out);
    return Arrays.copyOf(out.array(), n);
  }

  static void append(Path file, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }
  }
}
