package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code bin/ferry}'s class data sharing: the first {@code status} leaves an archive beside the jar,
 * later commands start from it, a stale one (another jar) is made again, and none of it ever shows
 * in a command's output: {@code status --json} stays one JSON document with nothing on stderr.
 * Runs on a copy of the jar in a temp directory, so the archives are this test's own.
 */
class LauncherCdsTest {
  private static final Path HOME = Path.of(System.getProperty("ferry.home", "..")).toAbsolutePath().normalize();
  private static final Path JAR = Path.of(System.getProperty("ferry.jar", "../ferry-node/target/ferry.jar"))
      .toAbsolutePath().normalize();

  @TempDir Path dir;
  private Path jar;
  private Path config;

  @BeforeEach
  void copyTheJarAndWriteAConfig() throws Exception {
    Files.createDirectories(dir.resolve("lib"));
    jar = Files.copy(JAR, dir.resolve("lib/ferry.jar"));
    config = dir.resolve("ferry.yaml");
    Files.writeString(config, """
        source:
          name: primary
          url: 'jdbc:sqlite:%1$s/primary.db'
        journal:
          dir: journal
        replicas:
          - name: r1
            url: 'jdbc:sqlite:%1$s/replica.db'
        """.formatted(dir));
  }

  @Test
  void theFirstStatusLeavesAnArchiveTheNextStartsFromAndNothingReachesTheOutput() throws Exception {
    Launch first = status(Map.of());
    first.assertCleanJson();
    List<Path> archives = archives();
    assertThat(archives).as("one archive for the short commands, made at the first status's exit").hasSize(1);
    Path archive = archives.get(0);
    assertThat(archive.getFileName().toString()).startsWith("cli-").endsWith(".jsa");
    FileTime made = Files.getLastModifiedTime(archive);

    Path classLog = dir.resolve("classes.log");
    Launch second = status(Map.of("FERRY_JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog));
    second.assertCleanJson();
    assertThat(Files.readAllLines(classLog)).as("Ferry's own classes came from the archive")
        .anyMatch(line -> line.contains("dev.ferry.") && line.contains("source: shared objects file (top)"));
    assertThat(Files.getLastModifiedTime(archive)).as("a usable archive is not written again").isEqualTo(made);
  }

  @Test
  void anArchiveOfAnotherJarIsMadeAgainAndStillNothingReachesTheOutput() throws Exception {
    status(Map.of()).assertCleanJson();
    Path archive = archives().get(0);
    // A rebuilt jar: the archive no longer matches it (the JVM checks the jar's size and time).
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));

    status(Map.of()).assertCleanJson();

    assertThat(archives()).as("the stale archive was replaced by one of this jar").hasSize(1).doesNotContain(archive);
    Path classLog = dir.resolve("classes.log");
    status(Map.of("FERRY_JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog)).assertCleanJson();
    assertThat(Files.readAllLines(classLog)).anyMatch(line -> line.contains("source: shared objects file (top)"));
  }

  /**
   * The JVM archives only the classes of the run that makes the archive: one made by a status that
   * failed on its configuration still holds Jackson's, which every {@code status --json} needs, as
   * the launcher has that run also read and write a status document (CdsTraining) — into nothing.
   */
  @Test
  void anArchiveMadeByAStatusThatFailedStillHoldsWhatStatusJsonNeeds() throws Exception {
    Launch failed = launch(Map.of(), "status", "-c", dir.resolve("missing.yaml").toString(), "--json");
    assertThat(failed.exitCode()).as(failed.stderr()).isEqualTo(2);
    assertThat(failed.stdout()).isEmpty();
    assertThat(failed.stderr()).contains("missing.yaml").doesNotContain("Exception");
    assertThat(archives()).as("the archive made at the failed status's exit").hasSize(1);

    Path classLog = dir.resolve("classes.log");
    status(Map.of("FERRY_JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog)).assertCleanJson();
    assertThat(Files.readAllLines(classLog)).as("Jackson's mapper came from the archive")
        .anyMatch(line -> line.contains("tools.jackson.databind.ObjectMapper source: shared objects file (top)"));
  }

  @Test
  void ferryCdsOffOrNoPlaceForTheArchiveLeavesNoneAndTheCommandWorks() throws Exception {
    status(Map.of("FERRY_CDS", "off")).assertCleanJson();
    assertThat(dir.resolve("lib/cds")).doesNotExist();

    // No directory can be made where the archives go (a file is in the way; as root, a read-only
    // directory would still be written).
    Files.writeString(dir.resolve("lib/cds"), "");
    status(Map.of()).assertCleanJson();
    status(Map.of()).assertCleanJson();
    assertThat(dir.resolve("lib/cds")).isRegularFile().isEmptyFile();
  }

  private List<Path> archives() throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("lib/cds"))) {
      return files.toList();
    }
  }

  private record Launch(int exitCode, String stdout, String stderr) {
    void assertCleanJson() throws Exception {
      assertThat(exitCode).as(stderr).isZero();
      assertThat(stderr).as("stderr").isEmpty();
      assertThat(new ObjectMapper().readTree(stdout).path("replicas").get(0).path("name").asString()).isEqualTo("r1");
      assertThat(stdout.strip()).startsWith("{").endsWith("}").doesNotContain("[cds]").doesNotContain("[warning]");
    }
  }

  /** {@code bin/ferry status -c ferry.yaml --json} on the copied jar, with {@code env} added. */
  private Launch status(Map<String, String> env) throws Exception {
    return launch(env, "status", "-c", config.toString(), "--json");
  }

  /** {@code bin/ferry ARGS} on the copied jar, with {@code env} added. */
  private Launch launch(Map<String, String> env, String... args) throws Exception {
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    List<String> command = new ArrayList<>(List.of(HOME.resolve("bin/ferry").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> environment = new HashMap<>(env);
    environment.put("FERRY_JAR", jar.toString());
    pb.environment().remove("FERRY_JAVA_OPTS");
    pb.environment().remove("FERRY_CDS");
    pb.environment().putAll(environment);
    Process p = pb.start();
    if (!p.waitFor(Duration.ofMinutes(1).toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bin/ferry " + String.join(" ", args) + " still running after a minute");
    }
    return new Launch(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
