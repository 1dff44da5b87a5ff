package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.LogicalType;
import org.junit.jupiter.api.Test;

class LogicalTypeTest {
  @Test
  void postgresTypesMapByOidAndElseByFormatTypeName() {
    assertThat(LogicalType.ofPostgres(20, "bigint")).isEqualTo(LogicalType.INT64);
    assertThat(LogicalType.ofPostgres(16, "boolean")).isEqualTo(LogicalType.BOOLEAN);
    assertThat(LogicalType.ofPostgres(1184, "timestamp(3) with time zone")).isEqualTo(LogicalType.TIMESTAMPTZ);
    assertThat(LogicalType.ofPostgres(0, "timestamp(3) with time zone")).isEqualTo(LogicalType.TIMESTAMPTZ);
    assertThat(LogicalType.ofPostgres(0, "numeric(12,4)")).isEqualTo(LogicalType.DECIMAL);
    assertThat(LogicalType.ofPostgres(0, "character varying(20)")).isEqualTo(LogicalType.TEXT);
    assertThat(LogicalType.ofPostgres(0, "INT8")).isEqualTo(LogicalType.INT64);
    assertThat(LogicalType.ofPostgres(0, "pg_catalog.int4")).isEqualTo(LogicalType.INT32);
    assertThat(LogicalType.ofPostgres(1007, "integer[]")).isEqualTo(LogicalType.ARRAY);
    assertThat(LogicalType.ofPostgres(16_385, "public.mood")).isEqualTo(LogicalType.OTHER);
    assertThat(LogicalType.ofPostgres(1266, "time with time zone")).isEqualTo(LogicalType.OTHER);
    assertThat(LogicalType.ofPostgres(26, "oid")).isEqualTo(LogicalType.UINT32);
    assertThat(LogicalType.ofPostgres(3802, "jsonb")).isEqualTo(LogicalType.JSON);
  }

  @Test
  void sqliteTypesMapByDeclaredTypeAffinity() {
    assertThat(LogicalType.ofSqliteDeclared("INTEGER")).isEqualTo(LogicalType.INT64);
    assertThat(LogicalType.ofSqliteDeclared("unsigned big int")).isEqualTo(LogicalType.INT64);
    assertThat(LogicalType.ofSqliteDeclared("VARCHAR(10)")).isEqualTo(LogicalType.TEXT);
    assertThat(LogicalType.ofSqliteDeclared("BLOB")).isEqualTo(LogicalType.BYTES);
    assertThat(LogicalType.ofSqliteDeclared("")).isEqualTo(LogicalType.OTHER);
    assertThat(LogicalType.ofSqliteDeclared("DOUBLE")).isEqualTo(LogicalType.FLOAT64);
    assertThat(LogicalType.ofSqliteDeclared("BOOLEAN")).isEqualTo(LogicalType.BOOLEAN);
    assertThat(LogicalType.ofSqliteDeclared("DATETIME")).isEqualTo(LogicalType.TIMESTAMP);
    assertThat(LogicalType.ofSqliteDeclared("DATE")).isEqualTo(LogicalType.DATE);
    assertThat(LogicalType.ofSqliteDeclared("DECIMAL(10,5)")).isEqualTo(LogicalType.DECIMAL);
  }

  @Test
  void storedCodesAreDistinctAndRoundTrip() {
    for (LogicalType t : LogicalType.values()) {
      assertThat(LogicalType.ofCode(t.code())).contains(t);
    }
    assertThat(LogicalType.ofCode(LogicalType.values().length)).isEmpty();
  }
}
