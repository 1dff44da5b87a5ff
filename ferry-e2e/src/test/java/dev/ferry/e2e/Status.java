package dev.ferry.e2e;

import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code ferry status --json}, parsed. */
final class Status {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Status() {}

  /**
   * The document, also when status exits 1 because something has failed (tests that wait for one
   * replica while another is stopped on purpose); any other exit code, or no document, throws.
   */
  static JsonNode of(FerryCli cli, java.nio.file.Path config) throws Exception {
    WithExit status = withExit(cli, config);
    if (status.exitCode() != 0 && status.exitCode() != 1) {
      throw new IllegalStateException("ferry status failed (" + status.exitCode() + "): " + status.json());
    }
    return status.json();
  }

  /** {@code ferry status --json} whatever its exit code (1 when something failed), with that code. */
  record WithExit(int exitCode, JsonNode json) {}

  static WithExit withExit(FerryCli cli, java.nio.file.Path config) throws Exception {
    FerryCli.Result r = cli.run(Duration.ofSeconds(60), "status", "--json", "-c", config.toString());
    if (r.stdout().isBlank()) {
      throw new IllegalStateException("ferry status printed nothing (" + r.exitCode() + "): " + r.all());
    }
    return new WithExit(r.exitCode(), JSON.readTree(r.stdout()));
  }

  /** The sequence number of a GTID text ({@code 0-1-42} is 42), 0 for none. */
  static long seq(JsonNode gtid) {
    if (gtid.isNull() || gtid.isMissingNode()) {
      return 0;
    }
    String text = gtid.asString();
    return Long.parseLong(text.substring(text.lastIndexOf('-') + 1));
  }

  static JsonNode replica(JsonNode status, String name) {
    for (JsonNode r : status.path("replicas").values()) {
      if (r.path("name").asString().equals(name)) {
        return r;
      }
    }
    throw new IllegalStateException("no replica " + name + " in " + status);
  }

  /**
   * The status once replica {@code name} is in {@code state}: a running node publishes its status
   * every second, so a read just after a log line may still show the moment before it.
   */
  static JsonNode awaitReplicaState(FerryCli cli, java.nio.file.Path config, String name, String state,
      Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode status = of(cli, config);
    while (!replica(status, name).path("state").asString().equals(state)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("replica " + name + " not " + state + " within " + timeout + ": " + status);
      }
      Thread.sleep(300);
      status = of(cli, config);
    }
    return status;
  }

  static String sourceState(JsonNode status) {
    return status.path("source").path("state").asString("none");
  }
}
