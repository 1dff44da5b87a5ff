package dev.ferry.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real {@code pgbench} against database {@code bench} of a test cluster; output goes to a file of the test's. */
final class Pgbench {
  private static final Path PG_BIN = Path.of(System.getenv().getOrDefault("FERRY_PG_BIN",
      "/usr/lib/postgresql/15/bin"));

  private final int port;
  private final Path log;

  Pgbench(int port, Path dir) {
    this.port = port;
    this.log = dir.resolve("pgbench.log");
  }

  /** Runs pgbench to completion; fails when it does not exit 0. */
  void run(Duration timeout, String... args) throws IOException, InterruptedException {
    Process p = start(args);
    int code = await(p, timeout);
    if (code != 0) {
      throw new IllegalStateException("pgbench " + String.join(" ", args) + " exited " + code + ": see " + log);
    }
  }

  /** Starts pgbench in the background. */
  Process start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(PG_BIN.resolve("pgbench").toString(), "-h", "127.0.0.1", "-p",
        String.valueOf(port), "-U", "postgres"));
    cmd.addAll(List.of(args));
    cmd.add("bench");
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  /** Stops pgbench (SIGTERM): its open transactions roll back, every committed one stays. */
  void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** Waits for pgbench to end and returns its exit code (killed after {@code timeout}). */
  int await(Process p, Duration timeout) throws InterruptedException {
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("pgbench still running after " + timeout + ": see " + log);
    }
    return p.exitValue();
  }
}
