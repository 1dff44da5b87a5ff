package dev.ferry.transport.http;

import java.util.Optional;

/**
 * One byte range of a {@code Range: bytes=…} request header (RFC 9110 §14), resolved against a
 * file's size. Only a single range is served; a header with several ranges, another unit or bad
 * syntax is ignored (the whole file is sent), as the RFC allows. Immutable.
 *
 * @param first the first byte sent
 * @param last the last byte sent (inclusive)
 */
record ByteRange(long first, long last) {
  /** What a {@code Range} header asks of a file of a given size. */
  sealed interface Ask {
  }

  /** No range (absent or ignored): the whole file. */
  record Whole() implements Ask {
  }

  /** A satisfiable range: 206 with it. */
  record Part(ByteRange range) implements Ask {
  }

  /** A well-formed range that lies beyond the file: 416. */
  record Unsatisfiable() implements Ask {
  }

  long length() {
    return last - first + 1;
  }

  /** {@code bytes first-last/size}, the {@code Content-Range} value. */
  String contentRange(long size) {
    return "bytes " + first + "-" + last + "/" + size;
  }

  static Ask of(Optional<String> header, long size) {
    if (header.isEmpty()) {
      return new Whole();
    }
    String h = header.get().strip();
    if (!h.startsWith("bytes=") || h.indexOf(',') >= 0) {
      return new Whole();
    }
    String spec = h.substring("bytes=".length()).strip();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return new Whole();
    }
    long a = number(spec.substring(0, dash));
    long b = number(spec.substring(dash + 1));
    if (dash == 0) { // suffix: the last b bytes
      if (b < 0) {
        return new Whole();
      }
      if (b == 0 || size == 0) {
        return new Unsatisfiable();
      }
      return new Part(new ByteRange(Math.max(0, size - b), size - 1));
    }
    if (a < 0 || (dash + 1 < spec.length() && (b < 0 || b < a))) {
      return new Whole();
    }
    if (a >= size) {
      return new Unsatisfiable();
    }
    long last = dash + 1 == spec.length() ? size - 1 : Math.min(b, size - 1);
    return new Part(new ByteRange(a, last));
  }

  /** A non-negative decimal of at most 18 digits, or -1. */
  private static long number(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return -1;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(s);
  }
}
