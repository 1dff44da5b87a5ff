package dev.ferry.e2e;

import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code ferry status --json}, parsed. */
final class Status {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Status() {}

  static JsonNode of(FerryCli cli, java.nio.file.Path config) throws Exception {
    FerryCli.Result r = cli.run(Duration.ofSeconds(60), "status", "--json", "-c", config.toString());
    if (r.exitCode() != 0) {
      throw new IllegalStateException("ferry status failed (" + r.exitCode() + "): " + r.all());
    }
    return JSON.readTree(r.stdout());
  }

  static JsonNode replica(JsonNode status, String name) {
    for (JsonNode r : status.path("replicas").values()) {
      if (r.path("name").asString().equals(name)) {
        return r;
      }
    }
    throw new IllegalStateException("no replica " + name + " in " + status);
  }

  static String sourceState(JsonNode status) {
    return status.path("source").path("state").asString("none");
  }
}
