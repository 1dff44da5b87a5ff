package dev.ferry.apply.dialect.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.dialect.ValueConversionException;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.LogicalType;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MariaDbValuesTest {
  private static final Column OPENED = new Column("opened_at", "timestamp with time zone", 1184, LogicalType.TIMESTAMPTZ);
  private static final Column FLAGS = new Column("flags", "bit(64)", 0, LogicalType.BIT);
  private static final Column SCORE = new Column("score", "double precision", 701, LogicalType.FLOAT64);

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "2024-03-01 10:00:00+00|2024-03-01 10:00:00",
      "2024-03-01 10:00:00.5+01|2024-03-01 09:00:00.500000",
      "2024-02-29 23:30:00.123456-05:30|2024-03-01 05:00:00.123456",
      "1999-12-31 23:59:59+00:00:30|1999-12-31 23:59:29"})
  void aTimestampWithTimeZoneBecomesItsUtcDatetime(String pg, String mariadb) throws Exception {
    assertThat(MariaDbValues.toUtcDatetime(pg, OPENED)).isEqualTo(mariadb);
  }

  @ParameterizedTest
  @ValueSource(strings = {"infinity", "-infinity", "2024-03-01 10:00:00+00 BC", "2024-03-01"})
  void aTimestampMariaDbCannotHoldIsRefusedNamingTheColumn(String pg) {
    assertThatThrownBy(() -> MariaDbValues.toUtcDatetime(pg, OPENED)).isInstanceOf(ValueConversionException.class)
        .hasMessageContaining("of column opened_at (timestamp with time zone)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"NaN", "Infinity", "-Infinity"})
  void floatsMariaDbCannotHoldAreRefusedNamingTheColumn(String text) {
    assertThatThrownBy(() -> MariaDbValues.bindText(null, 1, text, SCORE)).isInstanceOf(ValueConversionException.class)
        .hasMessage("value '" + text + "' of column score (double precision) has no MariaDB value (MariaDB floats hold"
            + " neither NaN nor infinity)");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"1,01", "0000000101,0005", "1000000000,0200",
      "1111111111111111111111111111111111111111111111111111111111111111,ffffffffffffffff"})
  void aBitStringBecomesTheBigEndianBytesOfABitColumn(String bits, String hex) throws Exception {
    assertThat(HexFormat.of().formatHex(MariaDbValues.parseBits(bits, FLAGS))).isEqualTo(hex);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "012", "11111111111111111111111111111111111111111111111111111111111111111"})
  void aTextThatIsNoBitStringIsRefusedNamingTheColumn(String bits) {
    assertThatThrownBy(() -> MariaDbValues.parseBits(bits, FLAGS)).isInstanceOf(ValueConversionException.class)
        .hasMessageContaining("of column flags (bit(64))");
  }
}
