package dev.ferry.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Java main class run in a separate JVM, for crash tests: it can be killed with SIGKILL
 * ({@code kill -9}) at any moment, exactly as a power cut or the OOM killer would end it.
 *
 * <p>The child runs with the same JDK and class path as the test JVM, so any class on the test
 * class path can be its main class. Its standard output and error go to a log file (named in
 * failure messages). Not thread-safe: one test thread drives one process.
 */
public final class JavaProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final String mainClass;

  private JavaProcess(Process process, Path log, String mainClass) {
    this.process = process;
    this.log = log;
    this.mainClass = mainClass;
  }

  /** Starts {@code mainClass} with {@code args}, and JVM options such as {@code -Xmx128m}. */
  public static JavaProcess start(Class<?> mainClass, List<String> jvmOptions, String... args) throws IOException {
    Path log = Files.createTempFile("ferry-" + mainClass.getSimpleName() + "-", ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    return new JavaProcess(process, log, mainClass.getName());
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Sends SIGKILL and waits until the process is gone. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(mainClass + " (pid " + pid() + ") survived SIGKILL for 30 s");
    }
  }

  /** Sends SIGTERM (the JVM runs its shutdown hooks) and returns the exit code. */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    return awaitExit(timeout);
  }

  /**
   * Waits for the process to exit by itself and returns its exit code.
   *
   * @throws IllegalStateException if it is still running after {@code timeout}, naming the log
   */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(mainClass + " (pid " + pid() + ") still running after " + timeout
          + "; output in " + log);
    }
    return process.exitValue();
  }

  /** The file holding the child's standard output and error. */
  public Path log() {
    return log;
  }

  /** The child's output so far, for assertions and failure messages. */
  public String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /** Kills the process if it still runs and removes its log. */
  @Override
  public void close() throws IOException, InterruptedException {
    if (process.isAlive()) {
      kill9();
    }
    Files.deleteIfExists(log);
  }
}
