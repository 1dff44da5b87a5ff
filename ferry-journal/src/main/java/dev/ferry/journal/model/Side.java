package dev.ferry.journal.model;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Which part of a deployment a log line or an error belongs to: a source or a replica by its
 * configured name, a journal or an export archive by its directory. Its text form is the prefix
 * every message of that part starts with — {@code [source primary]}, {@code [replica r1]},
 * {@code [journal /var/lib/ferry/journal]}, {@code [archive /backup/x]} — and {@link #prefix} is
 * the one place that prefix is written. Code that must know the side of a failure (which setting
 * to advise) asks {@link Sided#side()}, never the message text.
 *
 * <p>Immutable and thread-safe; no component is null.
 */
public record Side(Kind kind, String name) {
  /** The kinds of side, each with the word its prefix starts with. */
  public enum Kind {
    /** The source database, by {@code source.name}. */
    SOURCE,
    /** A replica, by its {@code name}. */
    REPLICA,
    /** A journal directory. */
    JOURNAL,
    /** An export archive directory. */
    ARCHIVE;

    /** The word in the prefix: {@code source}, {@code replica}, {@code journal}, {@code archive}. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Side {
    if (kind == null || name == null) {
      throw new IllegalArgumentException("a side needs a kind and a name");
    }
  }

  /** The source named {@code name} ({@code source.name}). */
  public static Side source(String name) {
    return new Side(Kind.SOURCE, name);
  }

  /** The replica named {@code name}. */
  public static Side replica(String name) {
    return new Side(Kind.REPLICA, name);
  }

  /** The journal in {@code dir}, named as the path was given. */
  public static Side journal(Path dir) {
    return new Side(Kind.JOURNAL, String.valueOf(dir));
  }

  /** The export archive in {@code dir}, named as the path was given. */
  public static Side archive(Path dir) {
    return new Side(Kind.ARCHIVE, String.valueOf(dir));
  }

  /** {@code message} as this side writes it: {@code [replica r1] message}. */
  public String prefix(String message) {
    return this + " " + message;
  }

  /** The prefix: {@code [replica r1]}. */
  @Override
  public String toString() {
    return "[" + kind.word() + " " + name + "]";
  }
}
