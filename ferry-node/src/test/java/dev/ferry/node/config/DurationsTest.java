package dev.ferry.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({"200ms, 200", "60s, 60000", "5m, 300000", "1h, 3600000", "1d, 86400000", "PT1S, 1000",
      "PT0.25S, 250", "'10 s', 10000"})
  void parsesShortFormsAndIso(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"200ms", "45s", "5m", "1h", "2d", "90s", "0ms"})
  void formatWritesWhatWasRead(String text) {
    assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
  }

  @ParameterizedTest
  @CsvSource({"60s, 1m", "3600s, 1h", "1500ms, 1500ms", "PT2M, 2m"})
  void formatPicksTheLargestExactUnit(String text, String formatted) {
    assertThat(Durations.format(Durations.parse(text))).isEqualTo(formatted);
    assertThat(Durations.parse(formatted)).isEqualTo(Durations.parse(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "10", "ten seconds", "5 minutes", "PT", "1.5s", "-PT1S", "1w"})
  void refusesMalformedText(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }
}
