package dev.ferry.apply.sync;

import java.util.Locale;

/**
 * How a source's column types become a target's, by the source's kind (docs/initial-sync.md,
 * type mapping). Stateless.
 */
enum SourceTypes {
  /** Exact {@code format_type} text: kept on PostgreSQL, mapped to SQLite's (docs/apply.md). */
  POSTGRES {
    @Override
    String on(boolean postgresTarget, String type) {
      return postgresTarget ? type : sqliteFromPostgres(type);
    }
  },
  /** SQLite declared types: kept on SQLite, mapped by SQLite's type affinity on PostgreSQL. */
  SQLITE {
    @Override
    String on(boolean postgresTarget, String type) {
      return postgresTarget ? postgresFromSqlite(type) : type;
    }
  };

  /** The column type to declare on the target for a source column of {@code type}. */
  abstract String on(boolean postgresTarget, String type);

  /** The SQLite column type for a PostgreSQL {@code format_type} (docs/apply.md, type mapping). */
  static String sqliteFromPostgres(String pgType) {
    String t = pgType.toLowerCase(Locale.ROOT);
    if (t.endsWith("]")) {
      return "TEXT";
    }
    int paren = t.indexOf('(');
    String base = paren < 0 ? t : t.substring(0, paren).strip();
    return switch (base) {
      case "smallint", "integer", "bigint", "oid", "boolean" -> "INTEGER";
      case "real", "double precision" -> "REAL";
      case "numeric" -> "NUMERIC TEXT";
      case "bytea" -> "BLOB";
      default -> "TEXT";
    };
  }

  /**
   * The PostgreSQL column type for a SQLite declared type, by SQLite's affinity rules in their
   * order: INT → {@code bigint}; CHAR, CLOB, TEXT → {@code text}; BLOB → {@code bytea}; REAL,
   * FLOA, DOUB → {@code double precision}; NUMERIC and DECIMAL → {@code numeric}. Anything else
   * (no type, DATE, DATETIME, BOOLEAN, …) → {@code text}: SQLite keeps whatever the application
   * wrote in such a column, and every value converts to text.
   */
  static String postgresFromSqlite(String declared) {
    String t = declared.toUpperCase(Locale.ROOT);
    if (t.contains("INT")) {
      return "bigint";
    }
    if (t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT")) {
      return "text";
    }
    if (t.contains("BLOB")) {
      return "bytea";
    }
    if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB")) {
      return "double precision";
    }
    if (t.contains("NUMERIC") || t.contains("DECIMAL")) {
      return "numeric";
    }
    return "text";
  }
}
