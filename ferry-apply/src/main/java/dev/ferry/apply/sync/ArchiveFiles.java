package dev.ferry.apply.sync;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The durable-write recipe and the checksums of an export archive: a file is written to
 * {@code <name>.tmp}, forced to disk, renamed atomically over {@code <name>}, and the directory is
 * forced, so a crash leaves either no file or the whole file. Stateless.
 */
final class ArchiveFiles {
  /** Writes the content of a file; may throw what the source of the bytes throws. */
  interface Content {
    void writeTo(OutputStream out) throws IOException, java.sql.SQLException;
  }

  /** A written file: its SHA-256 (lower-case hex) and size. */
  record Written(String sha256, long bytes) {
  }

  private ArchiveFiles() {
  }

  static Written writeDurably(Path dir, String name, Content content) throws IOException, java.sql.SQLException {
    Path tmp = dir.resolve(name + ".tmp");
    Path target = dir.resolve(name);
    MessageDigest digest = sha256();
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      OutputStream out = new DigestOutputStream(new BufferedOutputStream(
          java.nio.channels.Channels.newOutputStream(channel), 1 << 16), digest);
      content.writeTo(out);
      out.flush();
      channel.force(true);
    } catch (IOException | java.sql.SQLException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    long bytes = Files.size(tmp);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(dir);
    return new Written(HexFormat.of().formatHex(digest.digest()), bytes);
  }

  static void forceDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  /** The SHA-256 of a file's bytes, lower-case hex. */
  static String sha256(Path file) throws IOException {
    MessageDigest digest = sha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
