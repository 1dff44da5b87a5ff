package dev.ferry.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FerryMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;

  @BeforeEach
  void capture() {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(oldOut);
    System.setErr(oldErr);
  }

  @Test
  void printsTheVersion() {
    assertThat(FerryMain.run("--version")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("ferry 0.");
  }

  @Test
  void unknownCommandExitsTwoAndListsTheCommands() {
    assertThat(FerryMain.run("nosuchcommand")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("unknown command 'nosuchcommand'")
        .contains("Commands: demo");
  }

  @Test
  void unknownOptionExitsTwo() {
    assertThat(FerryMain.run("--frobnicate")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option '--frobnicate'");
  }

  @Test
  void helpListsTheCommandsAndExitCodes() {
    assertThat(FerryMain.run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("demo").contains("Exit codes: 0 ok, 1 failure, 2 usage error");
  }
}
