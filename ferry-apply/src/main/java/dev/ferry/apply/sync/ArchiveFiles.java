package dev.ferry.apply.sync;

import dev.ferry.journal.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The files and checksums of an export archive: each file is written by the durable-write recipe
 * ({@link DurableFiles}), so a crash leaves either no file or the whole file. Stateless.
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
    Path target = dir.resolve(name);
    MessageDigest digest = sha256();
    DurableFiles.writeStream(target, out -> {
      OutputStream digesting = new DigestOutputStream(out, digest);
      content.writeTo(digesting);
      digesting.flush();
    });
    return new Written(HexFormat.of().formatHex(digest.digest()), Files.size(target));
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
