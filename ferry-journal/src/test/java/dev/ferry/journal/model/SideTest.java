package dev.ferry.journal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SideTest {
  @Test
  void rendersThePrefixEveryMessageOfItsSideStartsWith() {
    assertThat(Side.source("primary")).hasToString("[source primary]");
    assertThat(Side.replica("r1").prefix("cannot apply 0-1-5")).isEqualTo("[replica r1] cannot apply 0-1-5");
    assertThat(Side.journal(Path.of("/var/lib/ferry/journal"))).hasToString("[journal /var/lib/ferry/journal]");
    assertThat(Side.archive(Path.of("/backup/x")).prefix("has no SHA256SUMS")).isEqualTo("[archive /backup/x] has no SHA256SUMS");
  }

  @Test
  void aSideExceptionCarriesItsSideAsAValue() {
    SideException e = new SideException(Side.replica("r1"), "cannot connect");

    assertThat(e.side()).hasValue(new Side(Side.Kind.REPLICA, "r1"));
    assertThat(e).hasMessage("[replica r1] cannot connect");
  }

  @Test
  void refusesAMissingKindOrName() {
    assertThatThrownBy(() -> new Side(null, "r1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Side.source(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
