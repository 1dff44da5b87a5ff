package dev.ferry.journal;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Consumers' acknowledged positions, one durable file each ({@code consumers/<name>.pos}): one
 * line, {@code segment:offset}, then (since the consumer check) a space and the GTID of the
 * transaction that ends there. Thread-safe: each file is replaced atomically.
 */
final class Consumers {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
  private final Path journalDir;
  private final Path dir;

  Consumers(Path journalDir) {
    this.journalDir = journalDir;
    this.dir = SegmentFiles.consumersDir(journalDir);
  }

  /** What a consumer acknowledged: the position after its last transaction and, if recorded, its GTID. */
  record Acknowledged(JournalPosition position, Optional<Gtid> gtid) {
  }

  void acknowledge(String consumer, JournalPosition position) throws IOException {
    acknowledge(consumer, position, Optional.empty());
  }

  void acknowledge(String consumer, JournalPosition position, Optional<Gtid> last) throws IOException {
    if (!NAME.matcher(consumer).matches()) {
      throw new IllegalArgumentException("consumer name '" + consumer + "' must match " + NAME.pattern());
    }
    Files.createDirectories(dir);
    String line = position + last.map(g -> " " + g).orElse("") + "\n";
    DurableFiles.write(SegmentFiles.consumerFile(journalDir, consumer), line.getBytes(StandardCharsets.UTF_8));
  }

  void remove(String consumer) throws IOException {
    Files.deleteIfExists(SegmentFiles.consumerFile(journalDir, consumer));
    if (Files.isDirectory(dir)) {
      DurableFiles.fsyncDirectory(dir);
    }
  }

  Map<String, JournalPosition> all() throws IOException {
    Map<String, JournalPosition> positions = new TreeMap<>();
    acknowledged().forEach((name, ack) -> positions.put(name, ack.position()));
    return positions;
  }

  Map<String, Acknowledged> acknowledged() throws IOException {
    Map<String, Acknowledged> all = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return all;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SegmentFiles.CONSUMER_SUFFIX)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        String[] parts = Files.readString(file, StandardCharsets.UTF_8).strip().split(" ", 2);
        try {
          Optional<Gtid> gtid = parts.length == 2 ? Optional.of(Gtid.parse(parts[1])) : Optional.empty();
          all.put(name.substring(0, name.length() - SegmentFiles.CONSUMER_SUFFIX.length()),
              new Acknowledged(JournalPosition.parse(parts[0]), gtid));
        } catch (IllegalArgumentException e) {
          throw new IOException(file + ": " + e.getMessage(), e);
        }
      }
    }
    return all;
  }
}
