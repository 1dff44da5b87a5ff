package dev.ferry.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Consumers' acknowledged positions, one durable file each ({@code consumers/<name>.pos}).
 * Thread-safe: each file is replaced atomically.
 */
final class Consumers {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
  private static final String SUFFIX = ".pos";
  private final Path dir;

  Consumers(Path journalDir) {
    this.dir = journalDir.resolve(SegmentFiles.CONSUMERS_DIR);
  }

  void acknowledge(String consumer, JournalPosition position) throws IOException {
    if (!NAME.matcher(consumer).matches()) {
      throw new IllegalArgumentException("consumer name '" + consumer + "' must match " + NAME.pattern());
    }
    Files.createDirectories(dir);
    SegmentFiles.writeDurably(dir, consumer + SUFFIX, (position + "\n").getBytes(StandardCharsets.UTF_8));
  }

  void remove(String consumer) throws IOException {
    Files.deleteIfExists(dir.resolve(consumer + SUFFIX));
    if (Files.isDirectory(dir)) {
      SegmentFiles.fsyncDirectory(dir);
    }
  }

  Map<String, JournalPosition> all() throws IOException {
    Map<String, JournalPosition> positions = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return positions;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        try {
          positions.put(name.substring(0, name.length() - SUFFIX.length()), JournalPosition.parse(text));
        } catch (IllegalArgumentException e) {
          throw new IOException(file + ": " + e.getMessage(), e);
        }
      }
    }
    return positions;
  }
}
