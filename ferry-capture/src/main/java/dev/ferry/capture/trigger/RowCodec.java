package dev.ferry.capture.trigger;

import dev.ferry.journal.model.Value;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads the row images {@link TriggerSql} triggers write — a JSON array of arrays of
 * (storage class, value text) pairs — into exact {@link Value}s, and writes and reads the JSON
 * string arrays Ferry keeps column lists in. Stateless.
 */
final class RowCodec {
  private RowCodec() {}

  /** Decodes a row image; {@code where} names the change row in errors. */
  static List<Value> decodeRow(String json, String where) {
    List<String> flat = new ArrayList<>();
    new Parser(json, where).nestedStrings(flat);
    if (flat.size() % 2 != 0) {
      throw new IllegalStateException(where + ": row image has an odd number of fields: " + json);
    }
    List<Value> values = new ArrayList<>(flat.size() / 2);
    for (int i = 0; i < flat.size(); i += 2) {
      values.add(value(flat.get(i), flat.get(i + 1), where));
    }
    return values;
  }

  private static Value value(String storageClass, String text, String where) {
    return switch (storageClass) {
      case "null" -> Value.NULL;
      case "integer" -> new Value.Int64(Long.parseLong(text));
      case "real" -> new Value.Float64(real(text));
      case "text" -> new Value.Text(text);
      case "blob" -> new Value.Bytes(HexFormat.of().parseHex(text));
      default -> throw new IllegalStateException(where + ": unknown storage class '" + storageClass + "'");
    };
  }

  private static double real(String text) {
    return switch (text) {
      case "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
  }

  /** A JSON array of strings. */
  static String encodeStrings(List<String> strings) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < strings.size(); i++) {
      b.append(i > 0 ? "," : "").append('"');
      for (char ch : strings.get(i).toCharArray()) {
        switch (ch) {
          case '"' -> b.append("\\\"");
          case '\\' -> b.append("\\\\");
          default -> {
            if (ch < 0x20) {
              b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) ch));
            } else {
              b.append(ch);
            }
          }
        }
      }
      b.append('"');
    }
    return b.append(']').toString();
  }

  static List<String> decodeStrings(String json, String where) {
    List<String> out = new ArrayList<>();
    new Parser(json, where).nestedStrings(out);
    return out;
  }

  /** A parser for arrays (possibly nested) of strings and nulls, which is all Ferry writes. */
  private static final class Parser {
    private final String s;
    private final String where;
    private int i;

    Parser(String s, String where) {
      this.s = s;
      this.where = where;
    }

    void nestedStrings(List<String> out) {
      array(out);
      skipSpace();
      if (i != s.length()) {
        throw error("trailing characters");
      }
    }

    private void array(List<String> out) {
      expect('[');
      skipSpace();
      if (peek() == ']') {
        i++;
        return;
      }
      while (true) {
        skipSpace();
        char c = peek();
        if (c == '[') {
          array(out);
        } else if (c == '"') {
          out.add(string());
        } else if (s.startsWith("null", i)) {
          i += 4;
          out.add(null);
        } else {
          throw error("unexpected '" + c + "'");
        }
        skipSpace();
        char next = s.charAt(i++);
        if (next == ']') {
          return;
        }
        if (next != ',') {
          throw error("expected , or ]");
        }
      }
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = s.charAt(i++);
        switch (e) {
          case '"', '\\', '/' -> b.append(e);
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'u' -> {
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
          }
          default -> throw error("bad escape \\" + e);
        }
      }
    }

    private void expect(char c) {
      skipSpace();
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      i++;
    }

    private char peek() {
      if (i >= s.length()) {
        throw error("unexpected end");
      }
      return s.charAt(i);
    }

    private void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private IllegalStateException error(String what) {
      return new IllegalStateException(where + ": malformed row image at character " + i + ": " + what);
    }
  }
}
