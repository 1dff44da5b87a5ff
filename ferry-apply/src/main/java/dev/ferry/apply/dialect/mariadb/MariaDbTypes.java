package dev.ferry.apply.dialect.mariadb;

import dev.ferry.apply.dialect.UnmappableDdlException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one mapping of a PostgreSQL or SQLite source column's type to a MariaDB column type, for the
 * seed (a table missing on the replica) and for replicated DDL ({@code CREATE TABLE}, {@code ADD
 * COLUMN}) alike: docs/apply.md, "DDL into a MariaDB target", the column types table. A type is
 * looked up by its name (lower case, words joined by one space, without its arguments) and its
 * numeric arguments: the seed's PostgreSQL {@code format_type} text ({@code timestamp(3) without
 * time zone}) and SQLite declared type go through {@link #parse}, DDL's tokens through
 * {@link DdlTypes#read}, to the same {@link #lookup}. The one difference between the two paths,
 * a type outside the table, is decided here: the seed creates it as {@code LONGTEXT} (the values'
 * text form), DDL refuses it naming table and column. Stateless.
 */
final class MariaDbTypes {
  /** What the seed creates a column of a type outside the table as. */
  static final String SEED_FALLBACK = "LONGTEXT";

  /**
   * A mapped type, the type it takes in a key (MariaDB indexes no TEXT or BLOB without a length), and
   * whether the source type makes its column NOT NULL by itself (PostgreSQL's serials; the seed reads
   * that from the catalog).
   */
  record Mapped(String type, String keyType, boolean notNull) {
    Mapped(String type, String keyType) {
      this(type, keyType, false);
    }

    Mapped(String type) {
      this(type, type);
    }
  }

  /** A source type as looked up: its name ({@code character varying}, {@code integer[]}) and numeric arguments. */
  record SourceType(String name, List<Integer> args) {
    SourceType {
      args = List.copyOf(args);
    }

    boolean isArray() {
      return name.endsWith("]");
    }

    @Override
    public String toString() {
      return (name.isEmpty() ? "(none)" : name) + (args.isEmpty() ? "" : args.toString());
    }
  }

  private MariaDbTypes() {
  }

  /** The seed's column type: the table's, or {@link #SEED_FALLBACK} for a type outside it. */
  static String forSeed(boolean sqlite, String sourceType) {
    Mapped m = lookup(sqlite, parse(sourceType));
    return m == null ? SEED_FALLBACK : m.type();
  }

  /** Replicated DDL's column type: the table's, or refused naming table and column. */
  static Mapped forDdl(boolean sqlite, SourceType type, String table, String column) throws UnmappableDdlException {
    if (type.isArray()) {
      throw new UnmappableDdlException(table, "column " + column + " is an array, which MariaDB has no type for;"
          + " create it by hand (e.g. as JSON or LONGTEXT)");
    }
    Mapped m = lookup(sqlite, type);
    if (m == null) {
      throw new UnmappableDdlException(table, "column " + column + " has the " + (sqlite ? "SQLite" : "PostgreSQL")
          + " type '" + type + "', which is not in Ferry's type mapping into MariaDB (docs/apply.md)");
    }
    return m;
  }

  /**
   * A type as a catalog spells it: PostgreSQL's {@code format_type} ({@code character varying(10)},
   * {@code timestamp(3) with time zone}, {@code numeric(10,2)}, {@code integer[]}) or SQLite's
   * declared type ({@code VARCHAR(10)}). Arguments that are not numbers make a name no row has.
   */
  static SourceType parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    List<Integer> args = new ArrayList<>();
    int open = t.indexOf('(');
    int close = t.indexOf(')', open + 1);
    if (open >= 0 && close > open) {
      for (String a : t.substring(open + 1, close).split(",")) {
        try {
          args.add(Integer.parseInt(a.strip()));
        } catch (NumberFormatException e) {
          return new SourceType(t, List.of());
        }
      }
      t = t.substring(0, open) + " " + t.substring(close + 1);
    }
    return new SourceType(String.join(" ", t.strip().split("\\s+")), args);
  }

  /** The table's row for {@code type}, or null outside it. */
  static Mapped lookup(boolean sqlite, SourceType type) {
    if (type.isArray()) {
      return null;
    }
    return sqlite ? sqlite(type.name(), type.args()) : postgres(type.name(), type.args());
  }

  private static Mapped postgres(String type, List<Integer> args) {
    return switch (type) {
      case "smallint", "int2" -> new Mapped("SMALLINT");
      case "integer", "int", "int4" -> new Mapped("INT");
      case "bigint", "int8" -> new Mapped("BIGINT");
      case "smallserial", "serial2" -> new Mapped("SMALLINT", "SMALLINT", true);
      case "serial", "serial4" -> new Mapped("INT", "INT", true);
      case "bigserial", "serial8" -> new Mapped("BIGINT", "BIGINT", true);
      case "oid" -> new Mapped("INT UNSIGNED");
      case "boolean", "bool" -> new Mapped("BOOLEAN");
      case "real", "float4" -> new Mapped("FLOAT");
      case "double precision", "float8" -> new Mapped("DOUBLE");
      case "float" -> new Mapped(args.isEmpty() || args.getFirst() > 24 ? "DOUBLE" : "FLOAT");
      case "numeric", "decimal" -> new Mapped(args.isEmpty() ? "DECIMAL(65,30)"
          : "DECIMAL(" + args.getFirst() + "," + (args.size() > 1 ? args.get(1) : 0) + ")");
      case "text", "json", "jsonb" -> new Mapped("LONGTEXT", "VARCHAR(255)");
      case "character varying", "varchar" -> args.isEmpty() ? new Mapped("LONGTEXT", "VARCHAR(255)")
          : new Mapped("VARCHAR(" + args.getFirst() + ")");
      case "character", "char", "bpchar" -> new Mapped("CHAR(" + (args.isEmpty() ? 1 : args.getFirst()) + ")");
      case "bytea" -> new Mapped("LONGBLOB", "VARBINARY(255)");
      case "date" -> new Mapped("DATE");
      case "timestamp", "timestamp without time zone", "timestamptz", "timestamp with time zone" ->
          new Mapped("DATETIME(" + (args.isEmpty() ? 6 : args.getFirst()) + ")");
      case "time", "time without time zone" -> new Mapped("TIME(" + (args.isEmpty() ? 6 : args.getFirst()) + ")");
      case "uuid" -> new Mapped("CHAR(36)");
      default -> null;
    };
  }

  /** By SQLite's affinity rules on the declared name, in their order, as its capture gives the values' logical types. */
  private static Mapped sqlite(String type, List<Integer> args) {
    String upper = type.toUpperCase(Locale.ROOT);
    if (upper.contains("INT")) {
      return new Mapped("BIGINT");
    }
    if (upper.contains("CHAR") || upper.contains("CLOB") || upper.contains("TEXT")) {
      return args.isEmpty() ? new Mapped("LONGTEXT", "VARCHAR(255)") : new Mapped("VARCHAR(" + args.getFirst() + ")");
    }
    if (upper.contains("BLOB") || upper.isEmpty()) { // no declared type: BLOB affinity, any value kept as it is
      return new Mapped("LONGBLOB", "VARBINARY(255)");
    }
    if (upper.contains("REAL") || upper.contains("FLOA") || upper.contains("DOUB")) {
      return new Mapped("DOUBLE");
    }
    if (upper.equals("BOOLEAN") || upper.equals("BOOL")) {
      return new Mapped("BOOLEAN");
    }
    return null;
  }
}
