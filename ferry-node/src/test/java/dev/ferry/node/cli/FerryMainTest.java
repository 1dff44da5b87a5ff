package dev.ferry.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FerryMainTest {
  @RegisterExtension final CapturedConsole console = new CapturedConsole();

  @Test
  void printsTheVersion() {
    assertThat(FerryMain.run("--version")).isZero();
    assertThat(console.out()).startsWith("ferry 0.");
  }

  @Test
  void unknownCommandExitsTwoAndListsTheCommands() {
    assertThat(FerryMain.run("nosuchcommand")).isEqualTo(2);
    assertThat(console.err())
        .contains("unknown command 'nosuchcommand'")
        .contains("Commands: demo");
  }

  @Test
  void unknownOptionExitsTwo() {
    assertThat(FerryMain.run("--frobnicate")).isEqualTo(2);
    assertThat(console.err()).contains("unknown option '--frobnicate'");
  }

  @Test
  void helpListsTheCommandsAndExitCodes() {
    assertThat(FerryMain.run("--help")).isZero();
    assertThat(console.out()).contains("demo").contains("Exit codes: 0 ok, 1 failure, 2 usage error");
  }
}
