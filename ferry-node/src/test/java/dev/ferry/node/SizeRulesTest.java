package dev.ferry.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.puppycrawl.tools.checkstyle.Checker;
import com.puppycrawl.tools.checkstyle.ConfigurationLoader;
import com.puppycrawl.tools.checkstyle.PropertiesExpander;
import com.puppycrawl.tools.checkstyle.api.AuditEvent;
import com.puppycrawl.tools.checkstyle.api.AuditListener;
import com.puppycrawl.tools.checkstyle.api.CheckstyleException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's Checkstyle rules (config/checkstyle, run in every module's validate phase) really
 * fail on a file over 500 lines and a method over 60, and pass at the limits.
 */
class SizeRulesTest {
  private static final Path RULES = Path.of("..", "config", "checkstyle").toAbsolutePath().normalize();

  @TempDir Path dir;

  @Test
  void aMethodOfSixtyOneLinesFailsAndOneOfSixtyPasses() throws Exception {
    assertThat(violations(javaFile("Long", 1, 61))).singleElement().asString()
        .contains("MethodLength").contains("61 lines");
    assertThat(violations(javaFile("Fits", 1, 60))).isEmpty();
  }

  @Test
  void aFileOfFiveHundredAndOneLinesFails() throws Exception {
    Path big = javaFile("Big", 63, 8);
    assertThat(Files.readAllLines(big)).hasSizeGreaterThan(500);
    assertThat(violations(big)).anySatisfy(v -> assertThat(v).contains("FileLength"));
  }

  @Test
  void blankLinesAndCommentsDoNotCount() throws Exception {
    Path file = dir.resolve("Spaced.java");
    StringBuilder b = new StringBuilder("class Spaced {\n  void m() {\n");
    for (int i = 0; i < 58; i++) {
      b.append("    int v").append(i).append(" = ").append(i).append(";\n\n    // note\n");
    }
    Files.writeString(file, b.append("  }\n}\n").toString());
    assertThat(violations(file)).isEmpty();
  }

  /** A class of {@code methods} methods whose bodies make each {@code lines} lines long. */
  private Path javaFile(String name, int methods, int lines) throws IOException {
    StringBuilder b = new StringBuilder("class ").append(name).append(" {\n");
    for (int m = 0; m < methods; m++) {
      b.append("  void m").append(m).append("() {\n");
      for (int i = 0; i < lines - 2; i++) {
        b.append("    int v").append(i).append(" = ").append(i).append(";\n");
      }
      b.append("  }\n");
    }
    Path file = dir.resolve(name + ".java");
    Files.writeString(file, b.append("}\n").toString());
    return file;
  }

  private static List<String> violations(Path file) throws CheckstyleException {
    Properties properties = new Properties();
    properties.setProperty("config_loc", RULES.toString());
    Checker checker = new Checker();
    checker.setModuleClassLoader(Checker.class.getClassLoader());
    checker.configure(ConfigurationLoader.loadConfiguration(
        RULES.resolve("checkstyle.xml").toString(), new PropertiesExpander(properties)));
    List<String> found = new ArrayList<>();
    checker.addListener(new Collector(found));
    try {
      checker.process(List.of(new File(file.toString())));
    } finally {
      checker.destroy();
    }
    return found;
  }

  private record Collector(List<String> found) implements AuditListener {
    @Override public void auditStarted(AuditEvent event) {}
    @Override public void auditFinished(AuditEvent event) {}
    @Override public void fileStarted(AuditEvent event) {}
    @Override public void fileFinished(AuditEvent event) {}
    @Override public void addError(AuditEvent event) {
      found.add(event.getModuleId() + " " + event.getSourceName() + " " + event.getMessage());
    }
    @Override public void addException(AuditEvent event, Throwable throwable) {
      found.add("exception " + throwable);
    }
  }
}
