package dev.ferry.node.admin;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code GET /metrics}: {@link NodeMetrics#scrape()} in the Prometheus text format. Thread-safe. */
final class MetricsHandler extends Handler.Abstract {
  private static final String TEXT_FORMAT = "text/plain; version=0.0.4";
  private final NodeMetrics metrics;

  MetricsHandler(NodeMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    if (!request.getMethod().equals("GET")) {
      response.getHeaders().put("Allow", "GET");
      Responses.error(response, 405, request.getMethod() + " " + request.getHttpURI().getPath()
          + ": only GET is answered", callback);
      return true;
    }
    Responses.send(response, 200, TEXT_FORMAT, metrics.scrape(), callback);
    return true;
  }
}
