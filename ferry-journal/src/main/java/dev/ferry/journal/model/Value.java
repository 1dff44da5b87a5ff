package dev.ferry.journal.model;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One column value, in an exact representation: nothing is rounded, re-encoded or shifted in
 * time zone. PostgreSQL values travel in their text form ({@link Text}); integers and floats from
 * sources that have them natively as {@link Int64} and {@link Float64}; binary as {@link Bytes}.
 * The column's source type is carried by the {@link Column} the value is aligned with.
 *
 * <p>All variants are immutable values and thread-safe. {@link Text#value} is never null (NULL is
 * {@link Null}, distinct from the empty string).
 */
public sealed interface Value {
  /** SQL NULL. */
  Null NULL = new Null();
  /** A TOASTed value the source did not send because it did not change. */
  Unchanged UNCHANGED = new Unchanged();

  /** SQL NULL. */
  record Null() implements Value {
  }

  /** A value the source left out because it is unchanged (PostgreSQL's unchanged TOAST). */
  record Unchanged() implements Value {
  }

  /** A value in the source's text form (PostgreSQL's output function); valid Unicode. */
  record Text(String value) implements Value {
    public Text {
      if (value == null) {
        throw new IllegalArgumentException("Text value must not be null; use Value.NULL");
      }
    }
  }

  /** A 64-bit integer. */
  record Int64(long value) implements Value {
  }

  /**
   * A 64-bit float, kept bit for bit: -0.0 differs from 0.0 and NaN payloads are preserved, so
   * equality compares the raw bits (a record would treat all NaNs alike).
   */
  record Float64(double value) implements Value {
    public long bits() {
      return Double.doubleToRawLongBits(value);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Float64 f && f.bits() == bits();
    }

    @Override
    public int hashCode() {
      return Long.hashCode(bits());
    }

    @Override
    public String toString() {
      return "Float64[" + value + " bits=" + Long.toHexString(bits()) + "]";
    }
  }

  /**
   * Binary data. The array is not copied: whoever builds or reads one must not change it. Equality
   * compares contents.
   */
  record Bytes(byte[] value) implements Value {
    public Bytes {
      if (value == null) {
        throw new IllegalArgumentException("Bytes value must not be null; use Value.NULL");
      }
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Bytes b && Arrays.equals(b.value, value);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      int shown = Math.min(value.length, 32);
      return "Bytes[" + value.length + " bytes: " + HexFormat.of().formatHex(value, 0, shown)
          + (shown < value.length ? "..." : "") + "]";
    }
  }
}
