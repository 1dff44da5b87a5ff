package dev.ferry.node.cli;

import dev.ferry.node.run.NodeStatus;
import dev.ferry.node.run.StatusJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A running node asked through its admin API instead of local files ({@code ferry status --url},
 * {@code ferry wait --url}, {@code ferry conflicts --url}, {@code ferry skip --url}), with the token
 * from {@code FERRY_TOKEN} when set. An unreachable node and a refused token are {@link
 * CliException}s saying what to do; every other answer goes back to the caller. Immutable.
 */
final class RemoteNode {
  /** The environment variable holding the node's {@code http.token}. */
  static final String TOKEN_ENV = "FERRY_TOKEN";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  /** A skip waits for the replica's runner and writes its target: more than a read under load. */
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

  private final String base;
  private final Optional<String> token;

  /** An answer of the node: its status code and body. */
  record Answer(URI uri, int status, String body) {
    /** The body of a 200; anything else is a {@link CliException} with the node's answer. */
    String ok() {
      if (status != 200) {
        throw new CliException(uri + " answered " + status + ": " + body);
      }
      return body;
    }

    /** The body of a 200; the node's {@code error} otherwise: a usage error for bad input, a failure for the rest. */
    String expect() {
      if (status == 200) {
        return body;
      }
      String error = body;
      try {
        error = String.valueOf(StatusJson.read(body, Map.class).get("error"));
      } catch (RuntimeException notJson) {
        // the body as it came
      }
      if (status == 400) {
        throw new UsageException(error);
      }
      throw new CliException(error + " (" + uri + " answered " + status + ")");
    }
  }

  private RemoteNode(String base, Optional<String> token) {
    this.base = base;
    this.token = token.filter(t -> !t.isBlank());
  }

  /** The node at {@code base} ({@code http://host:port}, its {@code http.listen}), with the token of {@code FERRY_TOKEN}. */
  static RemoteNode at(String base) {
    return new RemoteNode(base, Optional.ofNullable(System.getenv(TOKEN_ENV)));
  }

  /** The node's status document ({@code GET /api/status}). */
  NodeStatus status() {
    Answer answer = get("api/status");
    try {
      return StatusJson.read(answer.ok(), NodeStatus.class);
    } catch (RuntimeException e) {
      if (e instanceof CliException) {
        throw e;
      }
      throw new CliException(answer.uri() + " answered no status document: " + e.getMessage());
    }
  }

  /** {@code GET path} ({@code api/…}, with its query). */
  Answer get(String path) {
    return send(path, HttpRequest.BodyPublishers.noBody(), "GET");
  }

  /** {@code POST path} with a JSON body. */
  Answer post(String path, String json) {
    return send(path, HttpRequest.BodyPublishers.ofString(json), "POST");
  }

  private Answer send(String path, HttpRequest.BodyPublisher body, String method) {
    URI uri = uri(path);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(ANSWER_TIMEOUT).method(method, body)
        .header("Content-Type", "application/json");
    token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
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
    return new Answer(uri, response.statusCode(), response.body());
  }

  private URI uri(String path) {
    URI uri;
    try {
      uri = URI.create((base.endsWith("/") ? base : base + "/") + path);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--url " + base + ": not a URL (" + e.getMessage() + "); give http://host:port");
    }
    if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
      throw new UsageException("--url " + base + ": give http://host:port or https://host:port of a node's http.listen");
    }
    return uri;
  }
}
