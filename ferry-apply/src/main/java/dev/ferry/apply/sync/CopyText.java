package dev.ferry.apply.sync;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL's COPY text format, the format of copy streams and of export archive table files:
 * one row per line ending in {@code \n}, columns separated by a tab, {@code \N} for NULL, and in
 * values the escapes {@code \\ \t \n \r \b \f \v}, octal {@code \ooo} and hex {@code \xhh} (bytes,
 * then read as UTF-8). Stateless.
 */
final class CopyText {
  private CopyText() {
  }

  /** The fields of one row ({@code null} for NULL); {@code line} may end with {@code \n}. */
  static List<String> parse(byte[] line, int length) {
    int end = length;
    if (end > 0 && line[end - 1] == '\n') {
      end--;
    }
    if (end > 0 && line[end - 1] == '\r') {
      end--;
    }
    List<String> fields = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= end; i++) {
      if (i == end || line[i] == '\t') {
        fields.add(field(line, start, i));
        start = i + 1;
      }
    }
    return fields;
  }

  private static String field(byte[] b, int from, int to) {
    if (to - from == 2 && b[from] == '\\' && b[from + 1] == 'N') {
      return null;
    }
    int backslash = -1;
    for (int i = from; i < to; i++) {
      if (b[i] == '\\') {
        backslash = i;
        break;
      }
    }
    if (backslash < 0) {
      return new String(b, from, to - from, StandardCharsets.UTF_8);
    }
    byte[] out = new byte[to - from];
    int n = 0;
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (c != '\\' || i + 1 == to) {
        out[n++] = c;
        continue;
      }
      byte e = b[++i];
      switch (e) {
        case 't' -> out[n++] = '\t';
        case 'n' -> out[n++] = '\n';
        case 'r' -> out[n++] = '\r';
        case 'b' -> out[n++] = '\b';
        case 'f' -> out[n++] = '\f';
        case 'v' -> out[n++] = 0x0b;
        case 'x' -> {
          int v = 0;
          int digits = 0;
          while (digits < 2 && i + 1 < to && Character.digit(b[i + 1], 16) >= 0) {
            v = v * 16 + Character.digit(b[++i], 16);
            digits++;
          }
          out[n++] = digits == 0 ? (byte) 'x' : (byte) v;
        }
        default -> {
          if (e >= '0' && e <= '7') {
            int v = e - '0';
            int digits = 1;
            while (digits < 3 && i + 1 < to && b[i + 1] >= '0' && b[i + 1] <= '7') {
              v = v * 8 + (b[++i] - '0');
              digits++;
            }
            out[n++] = (byte) v;
          } else {
            out[n++] = e;
          }
        }
      }
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }
}
