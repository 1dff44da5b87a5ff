package dev.ferry.journal.model;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a column holds, whatever the source calls its type: a target converts values by this, not
 * by the source's type name. Capture decides it (PostgreSQL by type OID, SQLite by declared-type
 * affinity); journals of format versions 1 and 2, which did not store it, get it from
 * {@link #ofPostgres}, which is what apply switched on then.
 *
 * <p>The {@link #code} is stored in the journal: never renumber, only append.
 */
public enum LogicalType {
  /** Anything else: enums, domains, composites, ranges, geometry, a SQLite column without a type. */
  OTHER(0),
  BOOLEAN(1),
  INT8(2),
  INT16(3),
  INT32(4),
  INT64(5),
  UINT8(6),
  UINT16(7),
  UINT32(8),
  UINT64(9),
  /** Exact decimal: PostgreSQL numeric, SQLite NUMERIC affinity, MariaDB DECIMAL. */
  DECIMAL(10),
  FLOAT32(11),
  FLOAT64(12),
  TEXT(13),
  BYTES(14),
  DATE(15),
  TIME(16),
  TIMESTAMP(17),
  TIMESTAMPTZ(18),
  UUID(19),
  JSON(20),
  INTERVAL(21),
  ARRAY(22),
  /**
   * A bit string of fixed length (MariaDB's {@code BIT(n)}, PostgreSQL's {@code bit(n)} input): its
   * value is the text of its bits, most significant first ({@code 00101}).
   */
  BIT(23);

  private static final LogicalType[] BY_CODE = new LogicalType[values().length];
  /** PostgreSQL's built-in type OIDs (pg_type.dat), stable across versions. */
  private static final Map<Integer, LogicalType> PG_OIDS = Map.ofEntries(
      Map.entry(16, BOOLEAN), Map.entry(21, INT16), Map.entry(23, INT32), Map.entry(20, INT64),
      Map.entry(26, UINT32), Map.entry(1700, DECIMAL), Map.entry(700, FLOAT32), Map.entry(701, FLOAT64),
      Map.entry(25, TEXT), Map.entry(1043, TEXT), Map.entry(1042, TEXT), Map.entry(18, TEXT), Map.entry(19, TEXT),
      Map.entry(17, BYTES), Map.entry(1082, DATE), Map.entry(1083, TIME), Map.entry(1114, TIMESTAMP),
      Map.entry(1184, TIMESTAMPTZ), Map.entry(2950, UUID), Map.entry(114, JSON), Map.entry(3802, JSON),
      Map.entry(1186, INTERVAL));
  /** The same types by the names {@code format_type} and the catalogs use (typmods removed). */
  private static final Map<String, LogicalType> PG_NAMES = Map.ofEntries(
      Map.entry("boolean", BOOLEAN), Map.entry("bool", BOOLEAN), Map.entry("smallint", INT16),
      Map.entry("int2", INT16), Map.entry("integer", INT32), Map.entry("int", INT32), Map.entry("int4", INT32),
      Map.entry("bigint", INT64), Map.entry("int8", INT64), Map.entry("oid", UINT32),
      Map.entry("numeric", DECIMAL), Map.entry("decimal", DECIMAL), Map.entry("real", FLOAT32),
      Map.entry("float4", FLOAT32), Map.entry("double precision", FLOAT64), Map.entry("float8", FLOAT64),
      Map.entry("text", TEXT), Map.entry("character varying", TEXT), Map.entry("varchar", TEXT),
      Map.entry("character", TEXT), Map.entry("bpchar", TEXT), Map.entry("\"char\"", TEXT), Map.entry("name", TEXT),
      Map.entry("bytea", BYTES), Map.entry("date", DATE), Map.entry("time without time zone", TIME),
      Map.entry("time", TIME), Map.entry("timestamp without time zone", TIMESTAMP), Map.entry("timestamp", TIMESTAMP),
      Map.entry("timestamp with time zone", TIMESTAMPTZ), Map.entry("timestamptz", TIMESTAMPTZ),
      Map.entry("uuid", UUID), Map.entry("json", JSON), Map.entry("jsonb", JSON), Map.entry("interval", INTERVAL));
  private static final Pattern TYPMOD = Pattern.compile("\\s*\\([^)]*\\)");

  static {
    for (LogicalType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  private final int code;

  LogicalType(int code) {
    this.code = code;
  }

  /** The number the journal stores for this type. */
  public int code() {
    return code;
  }

  /** The type stored as {@code code}, if this code knows it. */
  public static Optional<LogicalType> ofCode(int code) {
    return code >= 0 && code < BY_CODE.length ? Optional.of(BY_CODE[code]) : Optional.empty();
  }

  /**
   * A PostgreSQL column's logical type: by its type OID when that is a built-in type, else by its
   * {@code format_type} name ({@code numeric(12,4)}, {@code timestamp(3) with time zone},
   * {@code integer[]}); user-defined types are {@link #OTHER}.
   *
   * @param oid the type OID, or 0 when unknown
   * @param typeName the type's name as {@code format_type} or the catalog spells it
   */
  public static LogicalType ofPostgres(int oid, String typeName) {
    LogicalType byOid = PG_OIDS.get(oid);
    if (byOid != null) {
      return byOid;
    }
    String name = TYPMOD.matcher(typeName.strip().toLowerCase(Locale.ROOT)).replaceAll("");
    if (name.endsWith("]")) {
      return ARRAY;
    }
    if (name.startsWith("pg_catalog.")) {
      name = name.substring("pg_catalog.".length());
    }
    return PG_NAMES.getOrDefault(name, OTHER);
  }

  /**
   * A SQLite column's logical type from its declared type, by SQLite's affinity rules in their
   * order (INT → integer; CHAR, CLOB, TEXT → text; BLOB → bytes; REAL, FLOA, DOUB → float), and
   * within NUMERIC affinity by the name applications use: BOOL → boolean, DATETIME and TIMESTAMP →
   * timestamp, DATE, TIME, else decimal. No declared type → {@link #OTHER} (any value).
   */
  public static LogicalType ofSqliteDeclared(String declared) {
    String t = declared.toUpperCase(Locale.ROOT);
    if (t.contains("INT")) {
      return INT64;
    }
    if (t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT")) {
      return TEXT;
    }
    if (t.contains("BLOB")) {
      return BYTES;
    }
    if (t.isBlank()) {
      return OTHER;
    }
    if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB")) {
      return FLOAT64;
    }
    if (t.contains("BOOL")) {
      return BOOLEAN;
    }
    if (t.contains("DATETIME") || t.contains("TIMESTAMP")) {
      return TIMESTAMP;
    }
    if (t.contains("DATE")) {
      return DATE;
    }
    return t.contains("TIME") ? TIME : DECIMAL;
  }
}
