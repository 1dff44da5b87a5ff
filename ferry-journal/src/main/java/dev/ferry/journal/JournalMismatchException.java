package dev.ferry.journal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;

/** A segment belongs to another journal (its header's UUID is not this journal's). */
public class JournalMismatchException extends IOException {
  private final transient Path path;

  public JournalMismatchException(Path path, UUID expected, UUID actual) {
    super(path + " belongs to journal " + actual + ", not to this journal " + expected + "; refusing to read it");
    this.path = path;
  }

  public Path path() {
    return path;
  }
}
