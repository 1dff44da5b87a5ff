package dev.ferry.journal.model;

import java.util.Comparator;

/**
 * A table (or sequence) in a source database: schema and name, exactly as the source spells
 * them (no case folding). The schema is empty for databases without schemas.
 *
 * <p>Text form {@code schema.name}; a part that contains a dot or a double quote, or is empty, is
 * double-quoted with inner quotes doubled, so {@link #parse} and {@link #toString} round-trip.
 * Ordered by schema, then name. Immutable and thread-safe; no component is null.
 */
public record TableId(String schema, String name) implements Comparable<TableId> {
  private static final Comparator<TableId> ORDER =
      Comparator.comparing(TableId::schema).thenComparing(TableId::name);

  public TableId {
    if (schema == null || name == null) {
      throw new IllegalArgumentException("table schema and name must not be null");
    }
    if (name.isEmpty()) {
      throw new IllegalArgumentException("table name must not be empty (schema '" + schema + "')");
    }
  }

  /**
   * Parses {@code schema.name} as written by {@link #toString}.
   *
   * @throws IllegalArgumentException naming the text if it is not a table id
   */
  public static TableId parse(String text) {
    try {
      StringBuilder schema = new StringBuilder();
      int next = readPart(text, 0, schema);
      if (next >= text.length() || text.charAt(next) != '.') {
        throw new IllegalArgumentException("expected '.' after the schema");
      }
      StringBuilder name = new StringBuilder();
      if (readPart(text, next + 1, name) != text.length()) {
        throw new IllegalArgumentException("unexpected text after the name");
      }
      return new TableId(schema.toString(), name.toString());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a table id (expected schema.name): '" + text + "': "
          + e.getMessage(), e);
    }
  }

  private static int readPart(String text, int start, StringBuilder out) {
    if (start < text.length() && text.charAt(start) == '"') {
      int i = start + 1;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          out.append('"');
          i += 2;
        } else if (c == '"') {
          return i + 1;
        } else {
          out.append(c);
          i++;
        }
      }
      throw new IllegalArgumentException("unterminated quote");
    }
    int i = start;
    while (i < text.length() && text.charAt(i) != '.' && text.charAt(i) != '"') {
      out.append(text.charAt(i++));
    }
    return i;
  }

  private static String quote(String part) {
    boolean plain = !part.isEmpty() && part.indexOf('.') < 0 && part.indexOf('"') < 0;
    return plain ? part : '"' + part.replace("\"", "\"\"") + '"';
  }

  @Override
  public int compareTo(TableId other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return quote(schema) + "." + quote(name);
  }
}
