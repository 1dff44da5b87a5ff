package dev.ferry.node.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An amount of bytes as written in the configuration: {@code 512}, {@code 512B}, {@code 4KiB},
 * {@code 64MiB}, {@code 1GiB}, {@code 1TiB} (binary) or {@code 1kB}, {@code 10MB}, {@code 1GB},
 * {@code 1TB} (decimal). {@link #toString()} writes the largest binary unit that divides the
 * value exactly (else bytes with {@code B}), and {@link #parse} reads it back to an equal value.
 * Immutable.
 *
 * @param bytes the amount, 0 or more
 */
public record DataSize(long bytes) implements Comparable<DataSize> {
  private static final Pattern TEXT = Pattern.compile("(\\d{1,19})\\s*(B|KiB|MiB|GiB|TiB|kB|KB|MB|GB|TB)?");
  private static final String[] BINARY_UNITS = {"TiB", "GiB", "MiB", "KiB"};
  private static final int[] BINARY_SHIFTS = {40, 30, 20, 10};

  public DataSize {
    if (bytes < 0) {
      throw new IllegalArgumentException("a data size must be 0 or more bytes, got " + bytes);
    }
  }

  public static DataSize ofBytes(long bytes) {
    return new DataSize(bytes);
  }

  public static DataSize ofKibibytes(long kib) {
    return new DataSize(Math.multiplyExact(kib, 1L << 10));
  }

  public static DataSize ofMebibytes(long mib) {
    return new DataSize(Math.multiplyExact(mib, 1L << 20));
  }

  /**
   * Reads a size like {@code 64MiB}.
   *
   * @throws IllegalArgumentException when {@code text} is not a whole number with one of the units
   *     above, or does not fit in a long
   */
  public static DataSize parse(String text) {
    Matcher m = TEXT.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a size (examples: 512, 4KiB, 64MiB, 1GiB, 10MB)");
    }
    try {
      long number = Long.parseLong(m.group(1));
      return new DataSize(Math.multiplyExact(number, multiplier(m.group(2))));
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is too large a size (at most " + Long.MAX_VALUE + " bytes)");
    }
  }

  private static long multiplier(String unit) {
    if (unit == null) {
      return 1;
    }
    return switch (unit) {
      case "B" -> 1;
      case "KiB" -> 1L << 10;
      case "MiB" -> 1L << 20;
      case "GiB" -> 1L << 30;
      case "TiB" -> 1L << 40;
      case "kB", "KB" -> 1_000;
      case "MB" -> 1_000_000;
      case "GB" -> 1_000_000_000;
      case "TB" -> 1_000_000_000_000L;
      default -> throw new IllegalArgumentException("unknown unit " + unit.toLowerCase(Locale.ROOT));
    };
  }

  @Override
  public int compareTo(DataSize other) {
    return Long.compare(bytes, other.bytes);
  }

  /** {@code 64MiB}, {@code 4KiB}, {@code 1000B}, {@code 0B}: what {@link #parse} reads back. */
  @Override
  public String toString() {
    for (int i = 0; i < BINARY_UNITS.length; i++) {
      long unit = 1L << BINARY_SHIFTS[i];
      if (bytes != 0 && bytes % unit == 0) {
        return (bytes / unit) + BINARY_UNITS[i];
      }
    }
    return bytes + "B";
  }
}
