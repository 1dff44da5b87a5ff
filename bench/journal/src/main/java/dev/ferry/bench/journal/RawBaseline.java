package dev.ferry.bench.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * The floor a journal cannot beat: one thread writes {@code groupSize} records of
 * {@code bytesPerTx} bytes with {@code FileChannel.write}, then calls {@code force(false)} — no
 * encoding, checksums, compression, queues or threads handing work over.
 */
final class RawBaseline {
  private RawBaseline() {}

  static JournalBench.Run run(Path file, int bytesPerTx, int groupSize, Duration length) throws IOException {
    byte[] record = new byte[Math.max(1, bytesPerTx)];
    new SplittableRandom(7).nextBytes(record);
    ByteBuffer buffer = ByteBuffer.allocateDirect(record.length * groupSize);
    for (int i = 0; i < groupSize; i++) {
      buffer.put(record);
    }
    Files.deleteIfExists(file);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long warmEnd = System.nanoTime() + Duration.ofMillis(500).toNanos();
      while (System.nanoTime() < warmEnd) {
        writeGroup(channel, buffer);
      }
      long startCpu = JournalBench.processCpuNanos();
      long start = System.nanoTime();
      long end = start + length.toNanos();
      long groups = 0;
      while (System.nanoTime() < end) {
        writeGroup(channel, buffer);
        groups++;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long cpu = JournalBench.processCpuNanos() - startCpu;
      long txs = groups * groupSize;
      return new JournalBench.Run(txs / seconds, txs * (double) record.length / seconds / 1e6, record.length, groupSize,
          cpu / 1e3 / txs);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static void writeGroup(FileChannel channel, ByteBuffer group) throws IOException {
    group.clear();
    while (group.hasRemaining()) {
      channel.write(group);
    }
    channel.force(false);
  }
}
