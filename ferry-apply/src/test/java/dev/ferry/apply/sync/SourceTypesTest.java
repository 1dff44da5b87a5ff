package dev.ferry.apply.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.dialect.postgres.PostgresDialect;
import dev.ferry.apply.dialect.sqlite.SqliteDialect;
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
}
