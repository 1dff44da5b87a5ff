package dev.ferry.journal.model;

/**
 * A place in the journal: a segment number and a byte offset in that segment's file.
 *
 * <p>Text form {@code segment:offset}, e.g. {@code 17:4096}; {@link #parse} and
 * {@link #toString} round-trip. Ordered by segment, then offset. Offset 0 means "the first record
 * of the segment" (readers skip the header). Immutable and thread-safe.
 *
 * @param segment segment number, 1 or more
 * @param offset byte offset in the segment file, 0 or more
 */
public record JournalPosition(long segment, long offset) implements Comparable<JournalPosition> {
  public JournalPosition {
    if (segment < 1) {
      throw new IllegalArgumentException("journal segment number must be >= 1, got " + segment);
    }
    if (offset < 0) {
      throw new IllegalArgumentException("journal offset must be >= 0, got " + offset);
    }
  }

  /** The start of segment {@code segment}. */
  public static JournalPosition startOf(long segment) {
    return new JournalPosition(segment, 0);
  }

  /**
   * Parses {@code segment:offset}.
   *
   * @throws IllegalArgumentException naming the text if it is not a position
   */
  public static JournalPosition parse(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1 || text.indexOf(':', colon + 1) >= 0) {
      throw new IllegalArgumentException("not a journal position (expected segment:offset): '" + text + "'");
    }
    try {
      return new JournalPosition(digits(text.substring(0, colon)), digits(text.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a journal position: '" + text + "': " + e.getMessage(), e);
    }
  }

  private static long digits(String part) {
    if (!part.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("'" + part + "' is not a decimal number");
    }
    return Long.parseLong(part);
  }

  @Override
  public int compareTo(JournalPosition other) {
    int bySegment = Long.compare(segment, other.segment);
    return bySegment != 0 ? bySegment : Long.compare(offset, other.offset);
  }

  @Override
  public String toString() {
    return segment + ":" + offset;
  }
}
