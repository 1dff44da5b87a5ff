package dev.ferry.apply.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.dialect.mariadb.MariaDbDialect;
import dev.ferry.apply.dialect.postgres.PostgresDialect;
import dev.ferry.apply.dialect.sqlite.SqliteDialect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SourceTypesTest {
  @ParameterizedTest(name = "SQLite ''{0}'' is {1} on PostgreSQL")
  @CsvSource(delimiter = '|', value = {
      "INTEGER|bigint", "int|bigint", "BIGINT|bigint", "UNSIGNED BIG INT|bigint", "TINYINT|bigint",
      "TEXT|text", "VARCHAR(40)|text", "NCHAR(5)|text", "CLOB|text",
      "BLOB|bytea", "REAL|double precision", "DOUBLE|double precision", "FLOAT|double precision",
      "NUMERIC|numeric", "DECIMAL(10,5)|numeric",
      "''|text", "DATE|text", "DATETIME|text", "BOOLEAN|text",
      // SQLite's rules in their order: INT wins over CHAR ("CHARINT"), CHAR over BLOB.
      "CHARINT|bigint", "CHARBLOB|text", "POINT|bigint"})
  void sqliteDeclaredTypesFollowSqliteAffinityOnPostgres(String declared, String expected) {
    assertThat(PostgresDialect.INSTANCE.catalog().columnType(SourceTypes.SQLITE.family(), declared)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "SQLite ''{0}'' is kept on SQLite")
  @CsvSource(delimiter = '|', value = {"INTEGER", "VARCHAR(40)", "''", "DATETIME"})
  void sqliteDeclaredTypesAreKeptOnSqlite(String declared) {
    assertThat(SqliteDialect.INSTANCE.catalog().columnType(SourceTypes.SQLITE.family(), declared)).isEqualTo(declared);
  }

  @ParameterizedTest(name = "PostgreSQL ''{0}'' is {1} on SQLite")
  @CsvSource(delimiter = '|', value = {"bigint|INTEGER", "numeric(12,2)|NUMERIC TEXT", "bytea|BLOB",
      "double precision|REAL", "timestamp with time zone|TEXT", "integer[]|TEXT"})
  void postgresTypesAreMappedOnSqliteAndKeptOnPostgres(String type, String sqlite) {
    assertThat(SqliteDialect.INSTANCE.catalog().columnType(SourceTypes.POSTGRES.family(), type)).isEqualTo(sqlite);
    assertThat(PostgresDialect.INSTANCE.catalog().columnType(SourceTypes.POSTGRES.family(), type)).isEqualTo(type);
  }

  @ParameterizedTest(name = "MariaDB ''{0}'' is {1} on MariaDB, {2} on PostgreSQL, {3} on SQLite")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "int(11)|int(11)|integer|INTEGER", "int(10) unsigned|int(10) unsigned|bigint|INTEGER",
      "tinyint(1)|tinyint(1)|smallint|INTEGER", "tinyint(3) unsigned|tinyint(3) unsigned|smallint|INTEGER",
      "smallint(5) unsigned|smallint(5) unsigned|integer|INTEGER", "mediumint(8) unsigned|mediumint(8) unsigned|integer|INTEGER",
      "bigint(20)|bigint(20)|bigint|INTEGER", "bigint(20) unsigned|bigint(20) unsigned|numeric(20)|TEXT",
      "decimal(65,30)|decimal(65,30)|numeric(65,30)|TEXT", "float|float|real|REAL", "double|double|double precision|REAL",
      "date|date|date|TEXT", "datetime(6)|datetime(6)|timestamp(6)|TEXT", "timestamp(3)|DATETIME(3)|timestamptz(6)|TEXT",
      "time(6)|time(6)|interval|TEXT", "year(4)|year(4)|smallint|INTEGER", "bit(10)|bit(10)|bit(10)|TEXT",
      "enum('red','it''s unsigned')|ENUM('red','it''s unsigned') CHARACTER SET utf8mb4|text|TEXT",
      "set('r','w')|SET('r','w') CHARACTER SET utf8mb4|text|TEXT",
      "varchar(40)|VARCHAR(40) CHARACTER SET utf8mb4|text|TEXT", "longtext|LONGTEXT CHARACTER SET utf8mb4|text|TEXT",
      "binary(4)|binary(4)|bytea|BLOB", "varbinary(16)|varbinary(16)|bytea|BLOB", "blob|blob|bytea|BLOB"})
  void mariaDbColumnTypesAreKeptOnMariaDbAndMappedElsewhere(String type, String maria, String postgres, String sqlite) {
    assertThat(MariaDbDialect.INSTANCE.catalog().columnType(SourceTypes.MARIADB.family(), type)).isEqualTo(maria);
    assertThat(PostgresDialect.INSTANCE.catalog().columnType(SourceTypes.MARIADB.family(), type)).isEqualTo(postgres);
    assertThat(SqliteDialect.INSTANCE.catalog().columnType(SourceTypes.MARIADB.family(), type)).isEqualTo(sqlite);
  }

  @Test
  void aMariaDbTypeOutsideTheMappingIsNamed() {
    assertThatThrownBy(() -> PostgresDialect.INSTANCE.catalog().columnType(SourceTypes.MARIADB.family(), "point"))
        .hasMessageContaining("point").hasMessageContaining("PostgreSQL");
    assertThatThrownBy(() -> SqliteDialect.INSTANCE.catalog().columnType(SourceTypes.MARIADB.family(), "geometry"))
        .hasMessageContaining("geometry").hasMessageContaining("SQLite");
  }

  @ParameterizedTest(name = "PostgreSQL ''{0}'' is {1} on a MariaDB replica a seed creates")
  @CsvSource(delimiter = '|', value = {"bigint|BIGINT", "integer|INT", "boolean|BOOLEAN", "numeric(14,3)|DECIMAL(14,3)",
      "numeric|DECIMAL(65,30)", "character varying(20)|VARCHAR(20)", "text|LONGTEXT", "bytea|LONGBLOB",
      "timestamp with time zone|DATETIME(6)", "timestamp(3) with time zone|DATETIME(3)",
      "timestamp(0) without time zone|DATETIME(0)", "time(2) without time zone|TIME(2)",
      "time with time zone|LONGTEXT", "uuid|CHAR(36)", "jsonb|LONGTEXT", "integer[]|LONGTEXT", "interval|LONGTEXT"})
  void postgresTypesAreMappedOnMariaDb(String type, String maria) {
    assertThat(MariaDbDialect.INSTANCE.catalog().columnType(SourceTypes.POSTGRES.family(), type)).isEqualTo(maria);
  }
}
