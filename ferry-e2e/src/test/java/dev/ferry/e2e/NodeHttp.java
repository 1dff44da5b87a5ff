package dev.ferry.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A running node's HTTP server ({@code http:}) as a test talks to it: the admin API and {@code /metrics}. */
final class NodeHttp {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final Optional<String> token;

  NodeHttp(int port, Optional<String> token) {
    this.base = "http://127.0.0.1:" + port;
    this.token = token;
  }

  String base() {
    return base;
  }

  /** A port free now, for the node to listen on. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The same server, asked with {@code other} as the token (empty: none). */
  NodeHttp withToken(Optional<String> other) {
    return new NodeHttp(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), other);
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send("GET", path);
  }

  HttpResponse<String> post(String path) throws IOException, InterruptedException {
    return send("POST", path);
  }

  HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .method(method, HttpRequest.BodyPublishers.noBody());
    token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** {@code GET path}, which must answer 200, as JSON. */
  JsonNode json(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = get(path);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** Waits until {@code replica} has recorded {@code count} conflicts ({@code GET /api/conflicts}). */
  JsonNode awaitConflicts(String replica, int count, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode list = json("/api/conflicts?replica=" + replica + "&limit=1000");
      if (list.size() >= count) {
        return list;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(replica + " recorded not " + count + " conflicts within " + timeout + ": " + list);
      }
      Thread.sleep(300);
    }
  }

  static JsonNode parse(String body) {
    return JSON.readTree(body);
  }

  /** {@code /metrics}: every sample by its name and labels as written, e.g. {@code ferry_x_total{replica="pg"}}. */
  Map<String, Double> metrics() throws IOException, InterruptedException {
    HttpResponse<String> r = get("/metrics");
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET /metrics answered " + r.statusCode() + ": " + r.body());
    }
    Map<String, Double> samples = new LinkedHashMap<>();
    for (String line : r.body().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return samples;
  }

  /** Waits until the node answers {@code /api/status} with every replica in {@code state}. */
  JsonNode awaitReplicas(String state, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        JsonNode s = json("/api/status");
        if (!s.path("replicas").isEmpty() && s.path("replicas").values().stream()
            .allMatch(r -> r.path("state").asString().equals(state))) {
          return s;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("replicas not all " + state + " within " + timeout + ": " + s);
        }
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(base + " not answering within " + timeout, e);
        }
      }
      Thread.sleep(300);
    }
  }
}
