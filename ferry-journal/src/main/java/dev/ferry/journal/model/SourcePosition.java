package dev.ferry.journal.model;

import java.util.Locale;

/**
 * Where a transaction came from in its source, as an opaque, comparable value: a PostgreSQL
 * LSN, a SQLite change-table id, a binlog position. The journal stores it and never interprets
 * it; capture uses it to de-duplicate a re-read after a crash.
 *
 * <p>Text form {@code kind:hex}, e.g. {@code pg-lsn:16b3748}; {@link #parse} and
 * {@link #toString} round-trip. Ordered by kind, then by value as an unsigned number. Immutable
 * and thread-safe; {@code kind} is never null.
 *
 * @param kind what the value means
 * @param value the position, compared as unsigned
 */
public record SourcePosition(Kind kind, long value) implements Comparable<SourcePosition> {
  /** No source position (e.g. a transaction made by a test). */
  public static final SourcePosition NONE = new SourcePosition(Kind.NONE, 0);

  /** What a source position's value means. The ordinal is stored in the journal: only append. */
  public enum Kind {
    NONE("none"),
    PG_LSN("pg-lsn"),
    CHANGE_ID("change-id"),
    BINLOG("binlog");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    static Kind ofLabel(String label) {
      for (Kind kind : values()) {
        if (kind.label.equals(label)) {
          return kind;
        }
      }
      throw new IllegalArgumentException("unknown source position kind '" + label + "'");
    }
  }

  public SourcePosition {
    if (kind == null) {
      throw new IllegalArgumentException("source position kind must not be null");
    }
  }

  public static SourcePosition pgLsn(long lsn) {
    return new SourcePosition(Kind.PG_LSN, lsn);
  }

  public static SourcePosition changeId(long id) {
    return new SourcePosition(Kind.CHANGE_ID, id);
  }

  /**
   * Parses {@code kind:hex}.
   *
   * @throws IllegalArgumentException naming the text if it is not a source position
   */
  public static SourcePosition parse(String text) {
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("not a source position (expected kind:hex): '" + text + "'");
    }
    try {
      String hex = text.substring(colon + 1);
      if (hex.isEmpty() || hex.length() > 16 || !hex.equals(hex.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("'" + hex + "' is not 1 to 16 lower-case hex digits");
      }
      return new SourcePosition(Kind.ofLabel(text.substring(0, colon)), Long.parseUnsignedLong(hex, 16));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a source position: '" + text + "': " + e.getMessage(), e);
    }
  }

  @Override
  public int compareTo(SourcePosition other) {
    int byKind = kind.compareTo(other.kind);
    return byKind != 0 ? byKind : Long.compareUnsigned(value, other.value);
  }

  @Override
  public String toString() {
    return kind.label + ":" + Long.toHexString(value);
  }
}
