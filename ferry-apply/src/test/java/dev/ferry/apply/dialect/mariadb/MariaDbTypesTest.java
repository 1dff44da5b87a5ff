package dev.ferry.apply.dialect.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.dialect.DdlTokens;
import dev.ferry.apply.dialect.TypeFamily;
import dev.ferry.apply.dialect.UnmappableDdlException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one type mapping into MariaDB (docs/apply.md, "DDL into a MariaDB target", the column types
 * table), row by row: the seed (a missing table created from the source catalog's spelling,
 * PostgreSQL's {@code format_type} or SQLite's declared type) and replicated DDL (the statement's
 * spelling) give the same MariaDB type; a type outside the table is {@code LONGTEXT} in the seed and
 * refused by DDL, naming table and column.
 */
class MariaDbTypesTest {
  @ParameterizedTest(name = "PostgreSQL {0} (catalog: {1}) is {2}, {3} in a key, in the seed and in DDL")
  @CsvSource(delimiter = '|', value = {
      "smallint|smallint|SMALLINT|SMALLINT", "int2|smallint|SMALLINT|SMALLINT",
      "smallserial|smallint|SMALLINT|SMALLINT",
      "integer|integer|INT|INT", "int|integer|INT|INT", "int4|integer|INT|INT", "serial|integer|INT|INT",
      "bigint|bigint|BIGINT|BIGINT", "int8|bigint|BIGINT|BIGINT", "bigserial|bigint|BIGINT|BIGINT",
      "oid|oid|INT UNSIGNED|INT UNSIGNED",
      "boolean|boolean|BOOLEAN|BOOLEAN", "bool|boolean|BOOLEAN|BOOLEAN",
      "real|real|FLOAT|FLOAT", "float4|real|FLOAT|FLOAT", "float(1)|real|FLOAT|FLOAT", "float(24)|real|FLOAT|FLOAT",
      "double precision|double precision|DOUBLE|DOUBLE", "float8|double precision|DOUBLE|DOUBLE",
      "float|double precision|DOUBLE|DOUBLE", "float(25)|double precision|DOUBLE|DOUBLE",
      "float(53)|double precision|DOUBLE|DOUBLE",
      "numeric(10,2)|numeric(10,2)|DECIMAL(10,2)|DECIMAL(10,2)", "decimal(10,2)|numeric(10,2)|DECIMAL(10,2)|DECIMAL(10,2)",
      "numeric(12)|numeric(12,0)|DECIMAL(12,0)|DECIMAL(12,0)", "numeric|numeric|DECIMAL(65,30)|DECIMAL(65,30)",
      "varchar(20)|character varying(20)|VARCHAR(20)|VARCHAR(20)",
      "character varying(20)|character varying(20)|VARCHAR(20)|VARCHAR(20)",
      "char(3)|character(3)|CHAR(3)|CHAR(3)", "character(3)|character(3)|CHAR(3)|CHAR(3)",
      "char|character(1)|CHAR(1)|CHAR(1)", "bpchar|bpchar|CHAR(1)|CHAR(1)",
      "text|text|LONGTEXT|VARCHAR(255)", "varchar|character varying|LONGTEXT|VARCHAR(255)",
      "json|json|LONGTEXT|VARCHAR(255)", "jsonb|jsonb|LONGTEXT|VARCHAR(255)",
      "bytea|bytea|LONGBLOB|VARBINARY(255)",
      "date|date|DATE|DATE",
      "timestamp|timestamp without time zone|DATETIME(6)|DATETIME(6)",
      "timestamp(3)|timestamp(3) without time zone|DATETIME(3)|DATETIME(3)",
      "timestamp(3) without time zone|timestamp(3) without time zone|DATETIME(3)|DATETIME(3)",
      "timestamptz|timestamp with time zone|DATETIME(6)|DATETIME(6)",
      "timestamptz(0)|timestamp(0) with time zone|DATETIME(0)|DATETIME(0)",
      "timestamp(0) with time zone|timestamp(0) with time zone|DATETIME(0)|DATETIME(0)",
      "time|time without time zone|TIME(6)|TIME(6)", "time(2)|time(2) without time zone|TIME(2)|TIME(2)",
      "uuid|uuid|CHAR(36)|CHAR(36)"})
  void postgresTypesMapTheSameInTheSeedAndInDdl(String ddl, String catalog, String maria, String key) throws Exception {
    assertThat(seed(TypeFamily.POSTGRES, catalog)).isEqualTo(maria);
    MariaDbTypes.Mapped mapped = ddl(false, ddl);
    assertThat(List.of(mapped.type(), mapped.keyType())).containsExactly(maria, key);
    assertThat(mapped.notNull()).as("a serial is NOT NULL").isEqualTo(ddl.contains("serial"));
  }

  @ParameterizedTest(name = "SQLite {0} is {1}, {2} in a key, in the seed and in DDL")
  @CsvSource(delimiter = '|', value = {
      "INTEGER|BIGINT|BIGINT", "int|BIGINT|BIGINT", "BIGINT|BIGINT|BIGINT", "UNSIGNED BIG INT|BIGINT|BIGINT",
      "TINYINT|BIGINT|BIGINT", "CHARINT|BIGINT|BIGINT",
      "VARCHAR(10)|VARCHAR(10)|VARCHAR(10)", "NCHAR(5)|VARCHAR(5)|VARCHAR(5)",
      "TEXT|LONGTEXT|VARCHAR(255)", "CLOB|LONGTEXT|VARCHAR(255)", "VARCHAR|LONGTEXT|VARCHAR(255)",
      "CHARBLOB|LONGTEXT|VARCHAR(255)",
      "BLOB|LONGBLOB|VARBINARY(255)", "''|LONGBLOB|VARBINARY(255)",
      "REAL|DOUBLE|DOUBLE", "FLOAT|DOUBLE|DOUBLE", "DOUBLE|DOUBLE|DOUBLE", "DOUBLE PRECISION|DOUBLE|DOUBLE",
      "BOOLEAN|BOOLEAN|BOOLEAN", "BOOL|BOOLEAN|BOOLEAN"})
  void sqliteTypesMapTheSameInTheSeedAndInDdl(String declared, String maria, String key) throws Exception {
    assertThat(seed(TypeFamily.SQLITE, declared)).isEqualTo(maria);
    assertThat(ddl(true, declared)).isEqualTo(new MariaDbTypes.Mapped(maria, key, false));
  }

  @ParameterizedTest(name = "PostgreSQL {0} (catalog: {1}) is LONGTEXT in the seed, refused by DDL")
  @CsvSource(delimiter = '|', value = {"integer[]|integer[]", "varchar(5)[]|character varying(5)[]",
      "interval|interval", "interval(3)|interval(3)", "timetz|time with time zone",
      "time(2) with time zone|time(2) with time zone", "money|money", "inet|inet", "mood|mood", "bit(10)|bit(10)",
      "\"char\"|\"char\""})
  void postgresTypesOutsideTheTableAreLongtextInTheSeedAndRefusedByDdl(String ddl, String catalog) {
    assertThat(seed(TypeFamily.POSTGRES, catalog)).isEqualTo("LONGTEXT");
    assertThatThrownBy(() -> ddl(false, ddl)).isInstanceOf(UnmappableDdlException.class)
        .hasMessageContaining("column c ")
        .satisfies(e -> assertThat(((UnmappableDdlException) e).table()).isEqualTo("t"));
  }

  @ParameterizedTest(name = "SQLite ''{0}'' is LONGTEXT in the seed, refused by DDL")
  @CsvSource(delimiter = '|', value = {"NUMERIC", "DECIMAL(10,2)", "DATE", "DATETIME"})
  void sqliteTypesOutsideTheTableAreLongtextInTheSeedAndRefusedByDdl(String declared) {
    assertThat(seed(TypeFamily.SQLITE, declared)).isEqualTo("LONGTEXT");
    assertThatThrownBy(() -> ddl(true, declared)).isInstanceOf(UnmappableDdlException.class)
        .hasMessageContaining("column c has the SQLite type").hasMessageContaining("docs/apply.md");
  }

  /** The seed's path: the catalog's spelling through the MariaDB target's catalog, as TargetTables asks it. */
  private static String seed(TypeFamily family, String catalogType) {
    return MariaDbDialect.INSTANCE.catalog().columnType(family, catalogType);
  }

  /** DDL's path: the statement's spelling read from its tokens, as ForeignDdl reads a column. */
  private static MariaDbTypes.Mapped ddl(boolean sqlite, String type) throws UnmappableDdlException {
    DdlTokens t = new DdlTokens(type + " NOT NULL");
    MariaDbTypes.Mapped m = DdlTypes.read(t, sqlite, "t", "c");
    assertThat(t.peek().is("NOT")).as("the whole type read").isTrue();
    return m;
  }
}
