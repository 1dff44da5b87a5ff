package dev.ferry.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvSubstitutionTest {
  private static final Map<String, String> ENV = Map.of("A", "1", "EMPTY", "", "DOLLAR", "${A}");

  @Test
  void replacesVariablesAndDefaults() {
    assertThat(EnvSubstitution.apply("x${A}y${B:-2}z", ENV)).isEqualTo("x1y2z");
    assertThat(EnvSubstitution.apply("${EMPTY:-d}", ENV)).isEqualTo("d");
    assertThat(EnvSubstitution.apply("[${EMPTY}]", ENV)).isEqualTo("[]");
    assertThat(EnvSubstitution.apply("${B:-}", ENV)).isEmpty();
  }

  @Test
  void substitutesOnceAndKeepsEscapedDollars() {
    assertThat(EnvSubstitution.apply("${DOLLAR}", ENV)).isEqualTo("${A}");
    assertThat(EnvSubstitution.apply("$${A} $A", ENV)).isEqualTo("${A} $A");
  }

  @Test
  void refusesUnsetUnclosedAndNamelessVariables() {
    assertThatThrownBy(() -> EnvSubstitution.apply("${NOPE}", ENV))
        .hasMessage("environment variable NOPE is not set (write ${NOPE:-default} to give a default)");
    assertThatThrownBy(() -> EnvSubstitution.apply("ab${A", ENV)).hasMessageContaining("not closed");
    assertThatThrownBy(() -> EnvSubstitution.apply("${1X}", ENV)).hasMessageContaining("does not name");
  }
}
