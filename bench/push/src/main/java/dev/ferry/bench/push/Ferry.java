package dev.ferry.bench.push;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Ferry as the user runs it: {@code bin/ferry run -c CONFIG} processes on the jar the build made
 * ({@code -Dferry.home}, {@code -Dferry.jar}), each with its log; {@code ferry status --json} read
 * back. Kills what it started that still runs on {@link #close}. Not thread-safe.
 */
final class Ferry implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final Path home = Path.of(System.getProperty("ferry.home", ".")).toAbsolutePath().normalize();
  private final Path jar = Path.of(System.getProperty("ferry.jar", "ferry-node/target/ferry.jar"))
      .toAbsolutePath().normalize();
  private final String heap;
  private final List<Process> started = new ArrayList<>();

  Ferry(String heap) {
    this.heap = heap;
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: bench/push/run builds it");
    }
  }

  /** A running node: its process, configuration and log. */
  record Node(Process process, Path config, Path log) {
    String logText() {
      try {
        return Files.readString(log);
      } catch (IOException e) {
        return "(no log)";
      }
    }
  }

  /** Starts {@code bin/ferry run -c config}, output appended to {@code log}. */
  Node run(Path config, Path log) throws IOException {
    Process p = builder("run", "-c", config.toString()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    started.add(p);
    return new Node(p, config, log);
  }

  /** {@code ferry status --json} of the node with {@code config} (exit 0 or 1, as when something failed). */
  JsonNode status(Path config) throws Exception {
    Process p = builder("status", "--json", "-c", config.toString()).redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || out.isBlank() || p.exitValue() > 1) {
      p.destroyForcibly();
      throw new IllegalStateException("ferry status -c " + config + " failed: " + out);
    }
    return JSON.readTree(out);
  }

  /** Waits until the node's capture streams. */
  void awaitSource(Node n) throws Exception {
    Env.await("capture of " + n.config() + " streaming; log:\n" + n.logText(), Duration.ofSeconds(180), () -> {
      alive(n);
      return status(n.config()).path("source").path("state").asString("").equals("streaming");
    });
  }

  /** Waits until every replica of the node streams (seeded first when new). */
  void awaitReplicas(Node n) throws Exception {
    Env.await("the replicas of " + n.config() + " streaming; log:\n" + n.logText(), Duration.ofSeconds(300), () -> {
      alive(n);
      List<JsonNode> replicas = status(n.config()).path("replicas").values().stream().toList();
      return !replicas.isEmpty() && replicas.stream().allMatch(r -> r.path("state").asString("").equals("streaming"));
    });
  }

  /** The node's first push link, from its status. */
  JsonNode link(Node n) throws Exception {
    return status(n.config()).path("links").get(0);
  }

  private static void alive(Node n) {
    if (!n.process().isAlive()) {
      throw new IllegalStateException("bin/ferry run -c " + n.config() + " exited " + n.process().exitValue()
          + "; log:\n" + n.logText());
    }
  }

  /** SIGTERM and wait for the exit (SIGKILL after 60 s). */
  static void stop(Node n) throws InterruptedException {
    n.process().destroy();
    if (!n.process().waitFor(60, TimeUnit.SECONDS)) {
      n.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  private ProcessBuilder builder(String... args) {
    List<String> command = new ArrayList<>();
    command.add(home.resolve("bin/ferry").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().put("FERRY_JAR", jar.toString());
    pb.environment().put("FERRY_JAVA_OPTS", "-Xmx" + heap);
    pb.environment().remove("FERRY_CONFIG");
    return pb;
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : started) {
      if (p.isAlive()) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
