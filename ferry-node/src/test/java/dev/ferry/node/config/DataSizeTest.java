package dev.ferry.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DataSizeTest {
  @ParameterizedTest
  @CsvSource({
      "512, 512", "512B, 512", "4KiB, 4096", "64MiB, 67108864", "1GiB, 1073741824", "2TiB, 2199023255552",
      "1kB, 1000", "1KB, 1000", "10MB, 10000000", "1GB, 1000000000", "'64 MiB', 67108864", "0, 0"})
  void parsesBinaryAndDecimalUnits(String text, long bytes) {
    assertThat(DataSize.parse(text).bytes()).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0B", "1B", "1000B", "4KiB", "1025KiB", "64MiB", "1GiB", "3TiB", "1023B"})
  void toStringRoundTrips(String text) {
    assertThat(DataSize.parse(text).toString()).isEqualTo(text);
    assertThat(DataSize.parse(DataSize.parse(text).toString())).isEqualTo(DataSize.parse(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"lots", "", "-1", "1.5GiB", "64mib", "64 M", "KiB", "99999999999999999999"})
  void refusesMalformedText(String text) {
    assertThatThrownBy(() -> DataSize.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"9223372036854775807KiB", "10000000TB"})
  void refusesSizesThatOverflow(String text) {
    assertThatThrownBy(() -> DataSize.parse(text)).hasMessageContaining("too large");
  }
}
