package dev.ferry.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/** The {@code journal.id} file: a format line and the journal's UUID, written durably once. */
final class JournalIdentity {
  private static final String PREFIX = "ferry-journal ";
  private static final String FIRST_LINE = PREFIX + SegmentFormat.VERSION;

  private JournalIdentity() {
  }

  static boolean exists(Path dir) {
    return Files.exists(SegmentFiles.idFile(dir));
  }

  static UUID read(Path dir) throws IOException {
    Path file = SegmentFiles.idFile(dir);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.size() != 2 || !readableFormat(lines.get(0))) {
      throw new IOException(file + ": expected '" + FIRST_LINE + "' and a UUID, found " + lines);
    }
    try {
      return UUID.fromString(lines.get(1));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": '" + lines.get(1) + "' is not a UUID", e);
    }
  }

  /** A journal of any format version this code reads (a version 1 journal reads as is). */
  private static boolean readableFormat(String line) {
    for (int v = SegmentFormat.OLDEST_READABLE; v <= SegmentFormat.VERSION; v++) {
      if (line.equals(PREFIX + v)) {
        return true;
      }
    }
    return false;
  }

  static UUID create(Path dir) throws IOException {
    return create(dir, UUID.randomUUID());
  }

  /** Creates the identity of a copy of journal {@code id} (see {@link JournalIngest}). */
  static UUID create(Path dir, UUID id) throws IOException {
    String text = FIRST_LINE + "\n" + id + "\n";
    DurableFiles.write(SegmentFiles.idFile(dir), text.getBytes(StandardCharsets.UTF_8));
    return id;
  }
}
