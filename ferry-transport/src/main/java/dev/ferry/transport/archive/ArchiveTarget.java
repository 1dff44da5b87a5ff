package dev.ferry.transport.archive;

import java.nio.file.Path;

/**
 * Where the {@link Archiver} puts sealed segments. Immutable; components never null.
 */
public sealed interface ArchiveTarget {
  /** No archiving: sealed segments are not shipped (the journal purges them once consumed). */
  None NONE = new None();

  record None() implements ArchiveTarget {
  }

  /** Copy each sealed segment into {@code directory} (temp file, fsync, rename, fsync directory). */
  record Directory(Path directory) implements ArchiveTarget {
    public Directory {
      if (directory == null) {
        throw new IllegalArgumentException("archive directory must not be null");
      }
    }
  }

  /**
   * Run {@code command} with {@code /bin/sh -c} for each sealed segment, PostgreSQL's
   * {@code archive_command} convention: {@code %p} is replaced by the segment's path, {@code %f}
   * by its file name, {@code %%} by {@code %}. Exit status 0 means archived.
   */
  record Command(String command) implements ArchiveTarget {
    public Command {
      if (command == null || command.isBlank()) {
        throw new IllegalArgumentException("archive command must not be blank");
      }
    }
  }
}
