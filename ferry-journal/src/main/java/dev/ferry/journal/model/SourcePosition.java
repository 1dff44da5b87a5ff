package dev.ferry.journal.model;

import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a transaction came from in its source, as a comparable value: a PostgreSQL LSN, a SQLite
 * change-table id, a binlog file and offset; optionally with the GTID the source itself gave the
 * transaction (MariaDB's domain-server-seq), which differs from the journal's GTID once a replica
 * re-publishes what it applied. The journal stores it and never interprets it; capture uses it to
 * de-duplicate a re-read after a crash.
 *
 * <p>Text form {@code kind:hex} for the compact kinds ({@code pg-lsn:16b3748},
 * {@code change-id:2a}), {@code binlog:file:hex} for a binlog position
 * ({@code binlog:mariadb-bin.000042:4d2}), either followed by {@code @domain-server-seq} when the
 * source GTID is known; {@link #parse} and {@link #toString} round-trip. Ordered by kind, then
 * binlog file (by base name, then by its numeric extension as a number), then value as an
 * unsigned number, then source GTID (none first). Immutable and thread-safe; no component is null.
 *
 * @param kind what the value means
 * @param file the binlog file name for {@link Kind#BINLOG} (empty only in journals of format
 *     versions 1 and 2, which stored no file); empty for every other kind
 * @param value the position (LSN, change id, binlog offset), compared as unsigned
 * @param sourceGtid the GTID the source gave the transaction, if it has one
 */
public record SourcePosition(Kind kind, String file, long value, Optional<Gtid> sourceGtid)
    implements Comparable<SourcePosition> {
  /** No source position (e.g. a transaction made by a test). */
  public static final SourcePosition NONE = new SourcePosition(Kind.NONE, 0);

  private static final Comparator<SourcePosition> ORDER = Comparator.comparing(SourcePosition::kind)
      .thenComparing(SourcePosition::file, SourcePosition::compareFiles)
      .thenComparing(SourcePosition::value, Long::compareUnsigned)
      .thenComparing(p -> p.sourceGtid().orElse(null), Comparator.nullsFirst(Comparator.<Gtid>naturalOrder()));

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
    if (kind == null || file == null || sourceGtid == null) {
      throw new IllegalArgumentException("source position kind, file and source GTID must not be null");
    }
    if (kind != Kind.BINLOG && !file.isEmpty()) {
      throw new IllegalArgumentException("a " + kind.label + " source position has no file, got '" + file + "'");
    }
    for (int i = 0; i < file.length(); i++) {
      char c = file.charAt(i);
      if (c == '@' || c <= ' ' || c == 0x7f) {
        throw new IllegalArgumentException("binlog file name '" + file + "' holds '@', a space or a control character");
      }
    }
  }

  /** A compact position: no file, no source GTID. */
  public SourcePosition(Kind kind, long value) {
    this(kind, "", value, Optional.empty());
  }

  public static SourcePosition pgLsn(long lsn) {
    return new SourcePosition(Kind.PG_LSN, lsn);
  }

  public static SourcePosition changeId(long id) {
    return new SourcePosition(Kind.CHANGE_ID, id);
  }

  /** A binlog position: file name (e.g. {@code mariadb-bin.000042}) and byte offset in it. */
  public static SourcePosition binlog(String file, long offset) {
    if (file == null || file.isEmpty()) {
      throw new IllegalArgumentException("a binlog position needs a file name");
    }
    return new SourcePosition(Kind.BINLOG, file, offset, Optional.empty());
  }

  /** This position with the GTID the source gave the transaction. */
  public SourcePosition withSourceGtid(Gtid gtid) {
    return new SourcePosition(kind, file, value, Optional.of(gtid));
  }

  /**
   * Parses the text form.
   *
   * @throws IllegalArgumentException naming the text if it is not a source position
   */
  public static SourcePosition parse(String text) {
    try {
      int at = text.indexOf('@');
      Optional<Gtid> gtid = at < 0 ? Optional.empty() : Optional.of(Gtid.parse(text.substring(at + 1)));
      String position = at < 0 ? text : text.substring(0, at);
      int colon = position.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("expected kind:hex or binlog:file:hex");
      }
      Kind kind = Kind.ofLabel(position.substring(0, colon));
      String rest = position.substring(colon + 1);
      int last = kind == Kind.BINLOG ? rest.lastIndexOf(':') : -1;
      if (kind == Kind.BINLOG && last < 0) {
        throw new IllegalArgumentException("a binlog position reads binlog:file:hex");
      }
      return new SourcePosition(kind, rest.substring(0, Math.max(last, 0)), hex(rest.substring(last + 1)), gtid);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a source position: '" + text + "': " + e.getMessage(), e);
    }
  }

  private static long hex(String hex) {
    if (hex.isEmpty() || hex.length() > 16 || !hex.equals(hex.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("'" + hex + "' is not 1 to 16 lower-case hex digits");
    }
    return Long.parseUnsignedLong(hex, 16);
  }

  /** Binlog files in the order the server wrote them: base name, then the extension as a number. */
  private static int compareFiles(String a, String b) {
    int dotA = a.lastIndexOf('.');
    int dotB = b.lastIndexOf('.');
    String extA = a.substring(dotA + 1);
    String extB = b.substring(dotB + 1);
    if (dotA < 0 || dotB < 0 || !digits(extA) || !digits(extB)) {
      return a.compareTo(b);
    }
    int byBase = a.substring(0, dotA).compareTo(b.substring(0, dotB));
    if (byBase != 0) {
      return byBase;
    }
    String numA = extA.replaceFirst("^0+(?=.)", "");
    String numB = extB.replaceFirst("^0+(?=.)", "");
    int byNumber = numA.length() != numB.length() ? Integer.compare(numA.length(), numB.length())
        : numA.compareTo(numB);
    return byNumber != 0 ? byNumber : a.compareTo(b);
  }

  private static boolean digits(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  @Override
  public int compareTo(SourcePosition other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    String position = kind == Kind.BINLOG ? kind.label + ":" + file + ":" + Long.toHexString(value)
        : kind.label + ":" + Long.toHexString(value);
    return sourceGtid.map(g -> position + "@" + g).orElse(position);
  }
}
