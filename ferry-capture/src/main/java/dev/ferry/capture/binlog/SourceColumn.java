package dev.ferry.capture.binlog;

import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.LogicalType;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A column of a captured MariaDB table as {@code information_schema.COLUMNS} describes it, with
 * what decoding its binlog values needs. Immutable.
 *
 * @param column the journal's column: name, MariaDB's {@code COLUMN_TYPE}, the logical type
 * @param kind how its binlog values are decoded
 * @param charset the character set of a text column (empty for other columns)
 * @param labels the members of an {@code ENUM} or {@code SET} in definition order (else empty)
 * @param width the bits of a {@code BIT(n)}, the bytes of a {@code BINARY(n)} (else 0)
 */
record SourceColumn(Column column, Kind kind, Optional<Charset> charset, List<String> labels, int width) {
  private static final Pattern WIDTH = Pattern.compile("\\((\\d+)\\)");

  /** How a column's binlog value becomes a journal value. */
  enum Kind {
    SIGNED, UNSIGNED_8, UNSIGNED_16, UNSIGNED_24, UNSIGNED_32, UNSIGNED_64, DECIMAL, FLOAT, DOUBLE, DATE, DATETIME,
    TIMESTAMP, TIME, YEAR, BIT, ENUM, SET, TEXT, BYTES, BINARY
  }

  /**
   * The column for {@code dataType} ({@code DATA_TYPE}) and {@code columnType}
   * ({@code COLUMN_TYPE}, with {@code unsigned}), or empty when Ferry does not capture that type yet.
   */
  static Optional<SourceColumn> of(String name, String dataType, String columnType, String charsetName) {
    boolean unsigned = columnType.toLowerCase(Locale.ROOT).contains("unsigned");
    String type = dataType.toLowerCase(Locale.ROOT);
    return switch (type) {
      case "tinyint" -> int8(name, columnType, unsigned);
      case "smallint" -> make(name, columnType, unsigned ? LogicalType.UINT16 : LogicalType.INT16,
          unsigned ? Kind.UNSIGNED_16 : Kind.SIGNED);
      case "mediumint" -> make(name, columnType, unsigned ? LogicalType.UINT32 : LogicalType.INT32,
          unsigned ? Kind.UNSIGNED_24 : Kind.SIGNED);
      case "int" -> make(name, columnType, unsigned ? LogicalType.UINT32 : LogicalType.INT32,
          unsigned ? Kind.UNSIGNED_32 : Kind.SIGNED);
      case "bigint" -> make(name, columnType, unsigned ? LogicalType.UINT64 : LogicalType.INT64,
          unsigned ? Kind.UNSIGNED_64 : Kind.SIGNED);
      case "decimal" -> make(name, columnType, LogicalType.DECIMAL, Kind.DECIMAL);
      case "float" -> make(name, columnType, LogicalType.FLOAT32, Kind.FLOAT);
      case "double" -> make(name, columnType, LogicalType.FLOAT64, Kind.DOUBLE);
      case "date" -> make(name, columnType, LogicalType.DATE, Kind.DATE);
      case "datetime" -> make(name, columnType, LogicalType.TIMESTAMP, Kind.DATETIME);
      case "timestamp" -> make(name, columnType, LogicalType.TIMESTAMPTZ, Kind.TIMESTAMP);
      case "char", "varchar", "tinytext", "text", "mediumtext", "longtext" -> text(name, columnType, charsetName);
      case "time" -> make(name, columnType, LogicalType.TIME, Kind.TIME);
      case "year" -> make(name, columnType, LogicalType.INT16, Kind.YEAR);
      case "bit" -> sized(name, columnType, LogicalType.BIT, Kind.BIT, List.of());
      case "enum" -> sized(name, columnType, LogicalType.TEXT, Kind.ENUM, labels(columnType));
      case "set" -> sized(name, columnType, LogicalType.TEXT, Kind.SET, labels(columnType));
      case "binary" -> sized(name, columnType, LogicalType.BYTES, Kind.BINARY, List.of());
      case "varbinary", "tinyblob", "blob", "mediumblob", "longblob" ->
          make(name, columnType, LogicalType.BYTES, Kind.BYTES);
      default -> Optional.empty();
    };
  }

  private static Optional<SourceColumn> int8(String name, String columnType, boolean unsigned) {
    return make(name, columnType, unsigned ? LogicalType.UINT8 : LogicalType.INT8,
        unsigned ? Kind.UNSIGNED_8 : Kind.SIGNED);
  }

  private static Optional<SourceColumn> make(String name, String columnType, LogicalType type, Kind kind) {
    return Optional.of(new SourceColumn(new Column(name, columnType, 0, type), kind, Optional.empty(), List.of(), 0));
  }

  /** A column whose {@code (n)} matters: {@code BIT(n)}, {@code BINARY(n)}; ENUM and SET with their members. */
  private static Optional<SourceColumn> sized(String name, String columnType, LogicalType type, Kind kind,
      List<String> labels) {
    Matcher m = WIDTH.matcher(columnType);
    int width = labels.isEmpty() && m.find() ? Integer.parseInt(m.group(1)) : 1;
    return Optional.of(new SourceColumn(new Column(name, columnType, 0, type), kind, Optional.empty(), labels, width));
  }

  /** The members of {@code enum('a','it''s')} or {@code set(...)}: quoted, a quote doubled inside. */
  static List<String> labels(String columnType) {
    List<String> out = new ArrayList<>();
    StringBuilder label = new StringBuilder();
    boolean quoted = false;
    for (int i = columnType.indexOf('(') + 1; i < columnType.length(); i++) {
      char c = columnType.charAt(i);
      if (!quoted) {
        quoted = c == '\'';
      } else if (c == '\'' && i + 1 < columnType.length() && columnType.charAt(i + 1) == '\'') {
        label.append(c);
        i++;
      } else if (c == '\'') {
        out.add(label.toString());
        label.setLength(0);
        quoted = false;
      } else {
        label.append(c);
      }
    }
    return List.copyOf(out);
  }

  private static Optional<SourceColumn> text(String name, String columnType, String charsetName) {
    Optional<Charset> charset = switch (charsetName == null ? "" : charsetName.toLowerCase(Locale.ROOT)) {
      case "utf8mb4", "utf8mb3", "utf8" -> Optional.of(StandardCharsets.UTF_8);
      case "latin1" -> Optional.of(Charset.forName("windows-1252")); // MariaDB's latin1 is cp1252
      case "ascii" -> Optional.of(StandardCharsets.US_ASCII);
      default -> Optional.empty();
    };
    if (charset.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new SourceColumn(new Column(name, columnType, 0, LogicalType.TEXT), Kind.TEXT, charset,
        List.of(), 0));
  }

  /** What Ferry captures, for the error that names an unsupported column. */
  static final String SUPPORTED = "TINYINT, SMALLINT, MEDIUMINT, INT, BIGINT (signed and unsigned), DECIMAL, FLOAT,"
      + " DOUBLE, DATE, DATETIME, TIMESTAMP, TIME, YEAR, BIT, ENUM, SET, CHAR, VARCHAR and the TEXT types (JSON)"
      + " in utf8mb4, utf8mb3, latin1 or ascii, BINARY, VARBINARY and the BLOB types";
}
