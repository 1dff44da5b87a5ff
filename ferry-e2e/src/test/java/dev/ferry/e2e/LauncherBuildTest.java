package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first use of {@code bin/ferry} in a fresh checkout builds ferry.jar: it shows that the build
 * moves (a line per module, a ready line), and a build that fails says so, shows the errors,
 * names the build log and what to do, and exits non-zero. Runs on a copy of this repository
 * without its build output, built offline ({@code MAVEN_ARGS=-o}). A broken source in the last
 * module keeps it short: the fixed build compiles only that module again.
 */
@Timeout(600)
class LauncherBuildTest {
  private static final Path HOME = Path.of(System.getProperty("ferry.home", "..")).toAbsolutePath().normalize();

  @TempDir Path dir;

  @Test
  void aFailedBuildSaysWhatToDoAndAFixedOneShowsProgressThenRuns() throws Exception {
    Path checkout = dir.resolve("checkout");
    copyWithoutBuildOutput(HOME, checkout);
    Path broken = checkout.resolve("ferry-node/src/main/java/dev/ferry/node/Broken.java");
    Files.writeString(broken, "package dev.ferry.node;\nclass Broken { int x = ; }\n");

    Result failed = launch(checkout, "--version");

    assertThat(failed.exitCode()).as(failed.stderr()).isNotZero();
    assertThat(failed.stderr()).contains("ferry: building ferry.jar failed; Ferry did not run")
        .contains("Broken.java")
        .contains("the whole build output is in " + checkout.resolve("ferry-node/target/ferry-build.log"))
        .contains("then run bin/ferry again");
    assertThat(failed.stdout()).doesNotContain("ferry 0.1");

    Files.delete(broken);
    Result built = launch(checkout, "--version");

    assertThat(built.exitCode()).as(built.stderr()).isZero();
    assertThat(built.stderr().lines().toList()).as(built.stderr())
        .anyMatch(line -> line.matches("ferry: building ferry-journal \\(module \\d+/\\d+\\)"))
        .anyMatch(line -> line.matches("ferry: building ferry-node \\(module (\\d+)/\\1\\)"))
        .anyMatch(line -> line.matches("ferry: ferry\\.jar is ready \\(\\d+ s\\)"));
    assertThat(built.stdout()).startsWith("ferry ");

    Result again = launch(checkout, "--version");

    assertThat(again.exitCode()).isZero();
    assertThat(again.stderr()).as("a fresh jar is not built again").doesNotContain("building");
  }

  private record Result(int exitCode, String stdout, String stderr) {}

  /** Runs the copy's own {@code bin/ferry}, which builds its jar when missing (no FERRY_JAR). */
  private Result launch(Path checkout, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of(checkout.resolve("bin/ferry").toString()),
        Stream.of(args)).toList()).directory(checkout.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    for (String inherited : List.of("FERRY_JAR", "FERRY_CONFIG", "MAVEN_PROJECTBASEDIR", "MAVEN_CMD_LINE_ARGS")) {
      pb.environment().remove(inherited);
    }
    pb.environment().put("MAVEN_ARGS", "-o");
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("bin/ferry still building after 5 minutes\n" + Files.readString(err));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** Copies the sources and the wrapper, leaving out git metadata and every build output directory. */
  private static void copyWithoutBuildOutput(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path source, BasicFileAttributes attrs) throws IOException {
        String name = source.getFileName().toString();
        if (!source.equals(from) && (name.equals(".git") || name.startsWith("target"))) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        Files.createDirectories(to.resolve(from.relativize(source).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path source, BasicFileAttributes attrs) throws IOException {
        if (!source.getFileName().toString().equals(".git")) {
          Files.copy(source, to.resolve(from.relativize(source).toString()), StandardCopyOption.COPY_ATTRIBUTES);
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
