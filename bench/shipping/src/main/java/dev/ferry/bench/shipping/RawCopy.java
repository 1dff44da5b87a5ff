package dev.ferry.bench.shipping;

import dev.ferry.journal.DurableFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.FutureTask;

/**
 * The floor a transport cannot beat: the same segment files' bytes over one plain TCP connection
 * on 127.0.0.1, with no framing, checksum, parsing or acknowledgement. The sender (the calling
 * thread) writes, per file, its name and size, then its bytes with {@code FileChannel.transferTo}
 * to the socket (sendfile: no copy through the JVM). The receiver (its own thread) reads them into
 * a 1 MiB direct buffer and writes each file with Ferry's own durable recipe, as Ferry's receivers
 * do ({@link DurableFiles#write}: {@code <name>.tmp}, {@code force(true)}, atomic rename, fsync of
 * the directory) — one fsync per file, under the file's own name.
 */
final class RawCopy {
  private static final int BUFFER = 1 << 20;

  private RawCopy() {
  }

  /** Copies {@code files} into {@code copyDir}; returns when the receiver has the last one durably. */
  static void run(List<Path> files, Path copyDir) throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open()
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      FutureTask<Void> receiving = new FutureTask<>(() -> {
        receive(server, copyDir, files.size());
        return null;
      });
      Thread receiver = Thread.ofPlatform().name("raw-receive").start(receiving);
      try (SocketChannel out = SocketChannel.open(server.getLocalAddress())) {
        for (Path f : files) {
          send(out, f);
        }
      }
      receiving.get();
      receiver.join();
    }
  }

  private static void send(SocketChannel out, Path file) throws IOException {
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      byte[] name = file.getFileName().toString().getBytes(StandardCharsets.UTF_8);
      long size = in.size();
      ByteBuffer header = ByteBuffer.allocate(4 + name.length + 8).putInt(name.length).put(name).putLong(size).flip();
      while (header.hasRemaining()) {
        out.write(header);
      }
      for (long sent = 0; sent < size; ) {
        sent += in.transferTo(sent, size - sent, out);
      }
    }
  }

  private static void receive(ServerSocketChannel server, Path copyDir, int files) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
    try (SocketChannel in = server.accept()) {
      for (int i = 0; i < files; i++) {
        byte[] name = new byte[readFully(in, ByteBuffer.allocate(4)).getInt()];
        readFully(in, ByteBuffer.wrap(name));
        long size = readFully(in, ByteBuffer.allocate(8)).getLong();
        DurableFiles.write(copyDir.resolve(new String(name, StandardCharsets.UTF_8)), file -> {
          for (long left = size; left > 0; ) {
            buffer.clear().limit((int) Math.min(BUFFER, left));
            readFully(in, buffer);
            left -= buffer.limit();
            while (buffer.hasRemaining()) {
              file.write(buffer);
            }
          }
        });
      }
    }
  }

  /** Fills {@code b} from {@code in}; returns it flipped for reading. */
  private static ByteBuffer readFully(SocketChannel in, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (in.read(b) < 0) {
        throw new IOException("the sender closed the connection early");
      }
    }
    return b.flip();
  }
}
