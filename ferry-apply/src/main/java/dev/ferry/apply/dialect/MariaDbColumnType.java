package dev.ferry.apply.dialect;

import java.util.Locale;

/**
 * A MariaDB source column's {@code COLUMN_TYPE} ({@code int(10) unsigned}, {@code decimal(12,4)},
 * {@code enum('a','b')}) cut into what the targets' catalogs map from (docs/initial-sync.md, a
 * MariaDB source). Immutable.
 *
 * @param base the type's name, lower case ({@code int}, {@code varchar}, {@code enum})
 * @param modifier the parenthesised part as written ({@code (12,4)}), empty when none
 * @param unsigned whether an integer or decimal type is {@code UNSIGNED}
 */
public record MariaDbColumnType(String base, String modifier, boolean unsigned) {
  /** Cuts {@code columnType}; an ENUM's or SET's members stay in {@code modifier}, never read as words. */
  public static MariaDbColumnType of(String columnType) {
    String t = columnType.strip();
    int paren = t.indexOf('(');
    int space = t.indexOf(' ');
    int end = paren < 0 ? (space < 0 ? t.length() : space) : paren;
    String base = t.substring(0, end).toLowerCase(Locale.ROOT);
    if (paren < 0) {
      return new MariaDbColumnType(base, "", t.toLowerCase(Locale.ROOT).contains(" unsigned"));
    }
    int close = t.lastIndexOf(')');
    String modifier = close < paren ? t.substring(paren) : t.substring(paren, close + 1);
    String rest = close < paren ? "" : t.substring(close + 1).toLowerCase(Locale.ROOT);
    return new MariaDbColumnType(base, modifier, rest.contains("unsigned"));
  }

  /** The MariaDB types Ferry captures as text: created on a target as text. */
  public boolean isText() {
    return switch (base) {
      case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set" -> true;
      default -> false;
    };
  }

  /** The error for a type no mapping knows (capture refuses such columns before a seed reads them). */
  public IllegalArgumentException unknown(String target) {
    return new IllegalArgumentException("the MariaDB column type " + base + modifier + " has no " + target
        + " type in Ferry's mapping (docs/mariadb-capture.md, Types)");
  }
}
