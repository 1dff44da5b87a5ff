package dev.ferry.transport.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Reads an HTTP response body whose length is known in advance or bounded, without trusting the
 * sender: a {@code Content-Length} above the bound or other than the expected length is refused
 * before a byte is read, and memory grows only with the bytes that actually arrive (in steps of
 * at most 1 MiB), never with a length the sender claims. Every refusal names the document, the
 * numbers and what was wrong. Thread-safe (stateless).
 */
final class BodyReader {
  private static final int STEP = 1 << 20;

  private BodyReader() {
  }

  /**
   * Reads all of {@code in}.
   *
   * @param what names the document in errors (its URL)
   * @param contentLength the response's {@code Content-Length}, if it had one
   * @param exact the length the body must have (a listed segment's size), if known
   * @param max the most bytes taken
   * @throws IOException naming {@code what} if the body is longer than {@code max}, not
   *     {@code exact} bytes long, or not the length its {@code Content-Length} said
   */
  static byte[] read(InputStream in, String what, OptionalLong contentLength, OptionalLong exact, long max)
      throws IOException {
    if (contentLength.isPresent()) {
      long declared = contentLength.getAsLong();
      if (declared < 0) {
        throw new IOException(what + ": Content-Length " + declared + " is negative");
      }
      if (exact.isPresent() && declared != exact.getAsLong()) {
        throw new IOException(what + ": Content-Length " + declared + " but the listing says "
            + exact.getAsLong() + " bytes");
      }
      if (declared > max) {
        throw new IOException(what + ": Content-Length " + declared + " is more than the " + max
            + " bytes taken");
      }
    }
    long limit = exact.isPresent() ? Math.min(exact.getAsLong(), max) : max;
    // Parts of at most 1 MiB, each allocated when the bytes before it have arrived, joined once at
    // the end: a growing ByteArrayOutputStream copied a 64 MiB segment about three times over
    // (doubling, then toByteArray) and was half the HTTP receiver's CPU (bench/shipping).
    List<byte[]> parts = new ArrayList<>();
    byte[] part = new byte[0];
    int filled = 0;
    long total = 0;
    while (true) {
      if (filled == part.length) {
        part = new byte[(int) Math.min(STEP, limit + 1 - total)];
        parts.add(part);
        filled = 0;
      }
      int n;
      try {
        n = in.read(part, filled, part.length - filled);
      } catch (IOException e) {
        throw new IOException(what + ": the body broke off after " + total + " bytes" + expectation(contentLength,
            exact) + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
      }
      if (n < 0) {
        break;
      }
      filled += n;
      total += n;
      if (total > limit) {
        throw new IOException(what + ": the body goes on past " + limit + " bytes" + expectation(contentLength,
            exact));
      }
    }
    if (contentLength.isPresent() && total != contentLength.getAsLong()) {
      throw new IOException(what + ": the body ended after " + total + " of the " + contentLength.getAsLong()
          + " bytes of its Content-Length");
    }
    if (exact.isPresent() && total != exact.getAsLong()) {
      throw new IOException(what + ": the body ended after " + total + " of the " + exact.getAsLong()
          + " bytes the listing says");
    }
    return join(parts, total);
  }

  /** The parts' bytes in one array; every part is full but the last. */
  private static byte[] join(List<byte[]> parts, long total) {
    if (parts.size() == 1 && parts.getFirst().length == total) {
      return parts.getFirst();
    }
    byte[] body = new byte[(int) total];
    int at = 0;
    for (byte[] p : parts) {
      int n = (int) Math.min(p.length, total - at);
      System.arraycopy(p, 0, body, at, n);
      at += n;
    }
    return body;
  }

  private static String expectation(OptionalLong contentLength, OptionalLong exact) {
    if (exact.isPresent()) {
      return " (the listing says " + exact.getAsLong() + ")";
    }
    return contentLength.isPresent() ? " (Content-Length " + contentLength.getAsLong() + ")" : "";
  }
}
