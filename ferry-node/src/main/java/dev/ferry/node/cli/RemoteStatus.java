package dev.ferry.node.cli;

import dev.ferry.node.run.NodeStatus;
import dev.ferry.node.run.StatusJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code ferry status --url}: a node's status read through its admin API ({@code GET /api/status})
 * instead of from local files, with the token from {@code FERRY_TOKEN} when set. Stateless.
 */
final class RemoteStatus {
  /** The environment variable holding the node's {@code http.token}. */
  static final String TOKEN_ENV = "FERRY_TOKEN";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private RemoteStatus() {
  }

  /** The status document of the node at {@code base} ({@code http://host:port}). */
  static NodeStatus read(String base, Optional<String> token) {
    URI uri;
    try {
      uri = URI.create(base.endsWith("/") ? base + "api/status" : base + "/api/status");
    } catch (IllegalArgumentException e) {
      throw new UsageException("--url " + base + ": not a URL (" + e.getMessage() + "); give http://host:port");
    }
    if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
      throw new UsageException("--url " + base + ": give http://host:port or https://host:port of a node's http.listen");
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET();
    token.filter(t -> !t.isBlank()).ifPresent(t -> request.header("Authorization", "Bearer " + t));
    HttpResponse<String> response;
    try (HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new CliException(uri + ": cannot reach the node (" + e + "); is 'ferry run' running there with http.listen"
          + " on that address?");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(uri + ": interrupted");
    }
    if (response.statusCode() == 401) {
      throw new CliException(uri + " answered 401: set " + TOKEN_ENV + " to the node's http.token"
          + (token.isPresent() ? " (the one given was refused)" : ""));
    }
    if (response.statusCode() != 200) {
      throw new CliException(uri + " answered " + response.statusCode() + ": " + response.body());
    }
    try {
      return StatusJson.read(response.body(), NodeStatus.class);
    } catch (RuntimeException e) {
      throw new CliException(uri + " answered no status document: " + e.getMessage());
    }
  }
}
