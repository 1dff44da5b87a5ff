package dev.ferry.apply.dialect.mariadb;

import dev.ferry.apply.dialect.DdlTokens;
import dev.ferry.apply.dialect.UnmappableDdlException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The column types of a PostgreSQL or SQLite source's DDL as MariaDB types: the one mapping table
 * of docs/apply.md ("DDL into a MariaDB target"). A type outside it is refused, naming table and
 * column. Stateless.
 */
final class DdlTypes {
  /** Words that end a type and begin a column's constraints. */
  private static final Set<String> CONSTRAINTS = Set.of("NOT", "NULL", "PRIMARY", "UNIQUE", "DEFAULT", "CONSTRAINT",
      "REFERENCES", "CHECK", "COLLATE", "GENERATED", "AUTOINCREMENT");

  /** A mapped type, and the type it takes in a key (MariaDB indexes no TEXT or BLOB without a length). */
  record Mapped(String type, String keyType) {
    Mapped(String type) {
      this(type, type);
    }
  }

  private DdlTypes() {
  }

  /** Reads a column's type at the cursor and maps it. */
  static Mapped read(DdlTokens t, boolean sqlite, String table, String column) throws UnmappableDdlException {
    List<String> words = new ArrayList<>();
    List<Integer> args = new ArrayList<>();
    while (!t.done()) {
      DdlTokens.Token next = t.peek();
      if (next.kind() == DdlTokens.Kind.WORD && !CONSTRAINTS.contains(next.text().toUpperCase(Locale.ROOT))) {
        words.add(t.next().text().toLowerCase(Locale.ROOT));
      } else if (next.isSymbol('(') && !words.isEmpty()) {
        t.next();
        do {
          DdlTokens.Token n = t.next();
          if (n.kind() != DdlTokens.Kind.NUMBER) {
            throw new UnmappableDdlException(table, "the type arguments of column " + column + " are not numbers");
          }
          args.add(Integer.parseInt(n.text()));
        } while (t.acceptSymbol(','));
        if (!t.acceptSymbol(')')) {
          throw new UnmappableDdlException(table, "the type of column " + column + " is not mapped");
        }
      } else if (next.isSymbol('[')) {
        throw new UnmappableDdlException(table, "column " + column + " is an array, which MariaDB has no type for;"
            + " create it by hand (e.g. as JSON or LONGTEXT)");
      } else {
        break;
      }
    }
    String type = String.join(" ", words);
    Mapped mapped = sqlite ? sqlite(type, args) : postgres(type, args);
    if (mapped == null) {
      throw new UnmappableDdlException(table, "column " + column + " has the " + (sqlite ? "SQLite" : "PostgreSQL")
          + " type '" + (type.isEmpty() ? "(none)" : type) + (args.isEmpty() ? "" : args.toString()) + "', which is not"
          + " in Ferry's type mapping into MariaDB (docs/apply.md)");
    }
    return mapped;
  }

  private static Mapped postgres(String type, List<Integer> args) {
    return switch (type) {
      case "smallint", "int2", "smallserial", "serial2" -> new Mapped("SMALLINT");
      case "integer", "int", "int4", "serial", "serial4" -> new Mapped("INT");
      case "bigint", "int8", "bigserial", "serial8" -> new Mapped("BIGINT");
      case "boolean", "bool" -> new Mapped("BOOLEAN");
      case "real", "float4" -> new Mapped("FLOAT");
      case "double precision", "float8" -> new Mapped("DOUBLE");
      case "float" -> new Mapped(args.isEmpty() || args.getFirst() > 24 ? "DOUBLE" : "FLOAT");
      case "numeric", "decimal" -> new Mapped(args.isEmpty() ? "DECIMAL(65,30)"
          : "DECIMAL(" + args.getFirst() + "," + (args.size() > 1 ? args.get(1) : 0) + ")");
      case "text" -> new Mapped("LONGTEXT", "VARCHAR(255)");
      case "character varying", "varchar" -> args.isEmpty() ? new Mapped("LONGTEXT", "VARCHAR(255)")
          : new Mapped("VARCHAR(" + args.getFirst() + ")");
      case "character", "char", "bpchar" -> new Mapped("CHAR(" + (args.isEmpty() ? 1 : args.getFirst()) + ")");
      case "bytea" -> new Mapped("LONGBLOB", "VARBINARY(255)");
      case "date" -> new Mapped("DATE");
      case "timestamp", "timestamp without time zone", "timestamptz", "timestamp with time zone" ->
          new Mapped("DATETIME(" + (args.isEmpty() ? 6 : args.getFirst()) + ")");
      case "time", "time without time zone" -> new Mapped("TIME(" + (args.isEmpty() ? 6 : args.getFirst()) + ")");
      case "uuid" -> new Mapped("CHAR(36)");
      case "json", "jsonb" -> new Mapped("LONGTEXT", "VARCHAR(255)");
      default -> null;
    };
  }

  /** By SQLite's affinity rules on the declared name, as its capture gives the values' logical types. */
  private static Mapped sqlite(String type, List<Integer> args) {
    String upper = type.toUpperCase(Locale.ROOT);
    if (upper.contains("INT")) {
      return new Mapped("BIGINT");
    }
    if (upper.contains("CHAR") || upper.contains("CLOB") || upper.contains("TEXT")) {
      return args.isEmpty() ? new Mapped("LONGTEXT", "VARCHAR(255)") : new Mapped("VARCHAR(" + args.getFirst() + ")");
    }
    if (upper.equals("BLOB")) {
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

  /** A column's default: a string, a number, {@code TRUE}/{@code FALSE}, {@code NULL} or the current time. */
  static String defaultValue(DdlTokens t, String table, String column) throws UnmappableDdlException {
    boolean parenthesised = t.acceptSymbol('(');
    DdlTokens.Token v = t.next();
    String value;
    if (v.kind() == DdlTokens.Kind.STRING || v.kind() == DdlTokens.Kind.NUMBER) {
      value = v.text();
    } else if (v.is("TRUE") || v.is("FALSE")) {
      value = v.is("TRUE") ? "1" : "0";
    } else if (v.is("NULL")) {
      value = "NULL";
    } else if (v.is("CURRENT_TIMESTAMP") || v.is("now") && t.acceptSymbol('(') && t.acceptSymbol(')')) {
      value = "CURRENT_TIMESTAMP(6)";
    } else {
      throw new UnmappableDdlException(table, "the default of column " + column + " ('" + v.text()
          + "…') is not mapped: only literals and the current time are");
    }
    if (t.peek().isSymbol(':')) {
      throw new UnmappableDdlException(table, "the default of column " + column + " has a cast, which is not mapped");
    }
    if (parenthesised && !t.acceptSymbol(')')) {
      throw new UnmappableDdlException(table, "the default of column " + column + " is not mapped");
    }
    return value;
  }
}
