package dev.ferry.node.admin;

import dev.ferry.node.run.StatusJson;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** How the node's handlers answer: a JSON document, a JSON error, or text. Stateless. */
final class Responses {
  private Responses() {
  }

  static void json(Response response, int status, Object document, Callback callback) {
    send(response, status, "application/json", StatusJson.write(document), callback);
  }

  /** {@code {"error": message}}: a person reads it, so it names what was wrong and what is valid. */
  static void error(Response response, int status, String message, Callback callback) {
    json(response, status, Map.of("error", message), callback);
  }

  static void send(Response response, int status, String type, String body, Callback callback) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type + "; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }
}
