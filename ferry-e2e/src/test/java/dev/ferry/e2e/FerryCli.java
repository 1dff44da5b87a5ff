package dev.ferry.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code bin/ferry} launcher as a separate process, on the jar the build just made
 * ({@code FERRY_JAR}), in a working directory of the test's.
 */
final class FerryCli implements AutoCloseable {
  private final Path home = Path.of(System.getProperty("ferry.home", "..")).toAbsolutePath().normalize();
  private final Path jar = Path.of(System.getProperty("ferry.jar", "../ferry-node/target/ferry.jar"))
      .toAbsolutePath().normalize();
  /** The JVM options of every process started ({@code FERRY_JAVA_OPTS}); the build sets them (ferry-e2e/pom.xml). */
  private final String javaOpts = System.getProperty("ferry.e2e.javaOpts", "-Xmx256m");
  private final Path workDir;
  private final List<String> launcher;
  private final List<Process> started = new ArrayList<>();

  FerryCli(Path workDir) {
    this(workDir, List.of());
  }

  private FerryCli(Path workDir, List<String> launcher) {
    this.workDir = workDir;
    this.launcher = launcher;
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: package ferry-node first (./mvnw verify does)");
    }
  }

  /** A finished command: exit code and what it printed. */
  record Result(int exitCode, String stdout, String stderr) {
    String all() {
      return stdout + stderr;
    }
  }

  /** Runs {@code bin/ferry args…} to completion. */
  Result run(Duration timeout, String... args) throws IOException, InterruptedException {
    return run(timeout, Map.of(), args);
  }

  /** Runs {@code bin/ferry args…} to completion with {@code env} added to its environment. */
  Result run(Duration timeout, Map<String, String> env, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile(workDir, "out", ".txt");
    Path err = Files.createTempFile(workDir, "err", ".txt");
    Process p = builder(env, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("bin/ferry " + String.join(" ", args) + " still running after " + timeout
          + "\n" + Files.readString(out) + Files.readString(err));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** Starts {@code bin/ferry args…} in the background; its output goes to {@code log}. */
  Process start(Path log, String... args) throws IOException {
    return start(log, Map.of(), args);
  }

  /** Starts {@code bin/ferry args…} in the background with {@code env} added; output goes to {@code log}. */
  Process start(Path log, Map<String, String> env, String... args) throws IOException {
    Process p = builder(env, args).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    started.add(p);
    return p;
  }

  /** Kills every process this started that still runs, so a failed test leaves none behind. */
  @Override
  public void close() throws InterruptedException {
    for (Process p : started) {
      if (p.isAlive()) {
        kill9(p);
      }
    }
  }

  private ProcessBuilder builder(Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(launcher);
    command.add(home.resolve("bin/ferry").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().put("FERRY_JAR", jar.toString());
    pb.environment().put("FERRY_JAVA_OPTS", javaOpts);
    pb.environment().remove("FERRY_CONFIG");
    pb.environment().putAll(env);
    return pb;
  }

  /**
   * The same launcher run as user {@code nobody} when the tests run as root (who may write
   * anywhere), so that a directory's permissions decide as they do for a real deployment.
   */
  FerryCli asUnprivilegedUser() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return new FerryCli(workDir, launcher);
    }
    return new FerryCli(workDir, List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
  }

  /** SIGKILL, and wait until it is gone. */
  static void kill9(Process p) throws InterruptedException {
    p.destroyForcibly();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("pid " + p.pid() + " survived SIGKILL");
    }
  }

  /** SIGTERM, and the exit code. */
  static int terminate(Process p, Duration timeout) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("pid " + p.pid() + " did not stop within " + timeout + " after SIGTERM");
    }
    return p.exitValue();
  }
}
