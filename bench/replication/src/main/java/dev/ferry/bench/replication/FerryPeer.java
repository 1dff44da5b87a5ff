package dev.ferry.bench.replication;

import dev.ferry.testkit.JavaProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Ferry ({@code ferry run}: capture, journal, apply) in its own JVM ({@link FerryMain}), applying
 * into {@code ferry_r}. The journal directory and the slot persist across turns, so a restart
 * resumes where the last turn stopped, as a restarted {@code ferry run} would.
 */
final class FerryPeer implements Peer {
  private final Env env;
  private final Path journal;
  private JavaProcess process;
  private Path go;
  private String failure;

  FerryPeer(Env env) {
    this.env = env;
    this.journal = env.work.resolve("journal");
  }

  @Override
  public String name() {
    return "Ferry";
  }

  @Override
  public String replicaDb() {
    return Env.FERRY_DB;
  }

  @Override
  public void prepare(Options options) throws Exception {
    if (process != null) {
      throw new IllegalStateException("Ferry is already running");
    }
    go = Files.createTempFile(env.work, "go-", "");
    Files.delete(go);
    List<String> jvm = new ArrayList<>(List.of("-Xmx" + options.heap(), "-XX:+ExitOnOutOfMemoryError"));
    jvm.add("-D" + FerryMain.STREAMING + "=" + System.getProperty(FerryMain.STREAMING, "off"));
    if (options.metrics()) {
      jvm.add("-D" + FerryMain.METRICS + "=on");
    }
    if (options.jfr() != null) {
      jvm.add("-XX:StartFlightRecording=filename=" + options.jfr() + ",settings=profile");
    }
    failure = null;
    process = JavaProcess.start(FerryMain.class, jvm, "run", "bench", env.primaryUrl(), journal.toString(),
        go.toString(), env.replica.jdbcUrl(Env.FERRY_DB));
  }

  /**
   * Runs {@code workload} while a capture-only Ferry process ({@code ferry capture}: slot → journal,
   * no apply) journals it, as capture keeps running on the source side while the replica is down;
   * returns once {@code transactions} more transactions are durable in this peer's journal and the
   * process has exited. Nothing is applied: the next {@link #start()} applies them from the journal.
   */
  <T> T captureWhile(long transactions, Callable<T> workload) throws Exception {
    if (process != null) {
      throw new IllegalStateException("Ferry is already running");
    }
    Path ready = Files.createTempFile(env.work, "go-", "");
    try (JavaProcess capture = JavaProcess.start(FerryMain.class, List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError"),
        "capture", "bench", env.primaryUrl(), journal.toString(), ready.toString(), String.valueOf(transactions))) {
      T result = workload.call();
      int code = capture.awaitExit(Duration.ofMinutes(10));
      if (code != 0) {
        throw new Cases.TurnFailed("Ferry's capture-only process exited " + code + ": " + capture.output());
      }
      return result;
    } finally {
      Files.deleteIfExists(ready);
    }
  }

  @Override
  public void start() throws Exception {
    if (process == null) {
      prepare(Options.DEFAULT);
    }
    Files.createFile(go);
  }

  @Override
  public boolean alive() {
    if (process != null && !process.isAlive() && failure == null) {
      failure = lastLines();
    }
    return process != null && process.isAlive();
  }

  @Override
  public void stop() throws Exception {
    if (process == null) {
      return;
    }
    try {
      if (process.isAlive()) {
        int code = process.terminate(Peer.stopTimeout());
        if (code != 0 && code != 143 && failure == null) {
          failure = "exit " + code + ": " + lastLines();
        }
      } else if (failure == null) {
        failure = lastLines();
      }
    } finally {
      process.close();
      process = null;
    }
  }

  @Override
  public long peakRssBytes() {
    if (process == null || !process.isAlive()) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }

  @Override
  public String failure() {
    return failure;
  }

  private String lastLines() {
    try {
      List<String> lines = process.output().lines().filter(l -> !l.isBlank()).toList();
      List<String> tail = lines.subList(Math.max(0, lines.size() - 4), lines.size());
      return String.join(" | ", tail);
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }
}
