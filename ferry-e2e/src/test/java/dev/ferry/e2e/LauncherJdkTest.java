package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code bin/ferry} picks its JDK: from the JDK's {@code release} file when it has one, without
 * starting that JDK's {@code java} to ask (a probe is a JVM start, paid by every command); a JDK
 * whose release file names a version below 21 is passed over, unstarted, for one that qualifies.
 */
class LauncherJdkTest {
  private static final Path HOME = Path.of(System.getProperty("ferry.home", "..")).toAbsolutePath().normalize();
  private static final Path JAR = Path.of(System.getProperty("ferry.jar", "../ferry-node/target/ferry.jar"))
      .toAbsolutePath().normalize();
  private static final Path REAL_JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

  @TempDir Path dir;

  @Test
  void aJdkWithAReleaseFileRunsFerryWithoutAProbe() throws Exception {
    Path jdk = fakeJdk("jdk-ok", Runtime.version().feature());

    Launch run = launch(jdk, null);

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).startsWith("ferry ");
    assertThat(Files.readAllLines(jdk.resolve("calls.log"))).as("one JVM: the command itself, no version probe")
        .hasSize(1).allMatch(line -> line.contains("-jar") && !line.contains("-XshowSettings"));
  }

  @Test
  void aJdkWhoseReleaseFileSaysSeventeenIsPassedOverWithoutBeingStarted() throws Exception {
    Path old = fakeJdk("jdk-old", 17);

    Launch run = launch(old, Path.of(System.getProperty("java.home")));

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).as("ran on JAVA_HOME's JDK").startsWith("ferry ");
    assertThat(old.resolve("calls.log")).as("the old JDK's java never ran").doesNotExist();
  }

  private record Launch(int exitCode, String stdout, String stderr) {}

  /** A JDK directory whose {@code bin/java} logs its arguments and runs the real java. */
  private Path fakeJdk(String name, int feature) throws Exception {
    Path jdk = dir.resolve(name);
    Files.createDirectories(jdk.resolve("bin"));
    Files.writeString(jdk.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + feature + ".0.1\"\n");
    Path java = jdk.resolve("bin/java");
    Files.writeString(java, "#!/bin/sh\necho \"$*\" >> '" + jdk.resolve("calls.log") + "'\nexec '" + REAL_JAVA
        + "' \"$@\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return jdk;
  }

  /** {@code bin/ferry --version} with {@code FERRY_JAVA_HOME=jdk} and {@code JAVA_HOME=javaHome} (or none). */
  private Launch launch(Path jdk, Path javaHome) throws Exception {
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    ProcessBuilder pb = new ProcessBuilder(List.of(HOME.resolve("bin/ferry").toString(), "--version"))
        .directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("FERRY_JAR", JAR.toString());
    pb.environment().put("FERRY_JAVA_HOME", jdk.toString());
    pb.environment().remove("JAVA_HOME");
    if (javaHome != null) {
      pb.environment().put("JAVA_HOME", javaHome.toString());
    }
    Process p = pb.start();
    if (!p.waitFor(Duration.ofMinutes(1).toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bin/ferry --version still running after a minute");
    }
    return new Launch(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
