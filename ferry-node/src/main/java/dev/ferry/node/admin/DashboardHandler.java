package dev.ferry.node.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /}: the dashboard, one static page shipped in the jar that polls {@code /api/status}
 * (and asks for the token when the API answers 401). It holds no data, so it is served without the
 * token. Thread-safe.
 */
final class DashboardHandler extends Handler.Abstract {
  private static final String PAGE = "dashboard.html";
  private final String html;

  DashboardHandler() {
    try (InputStream in = DashboardHandler.class.getResourceAsStream(PAGE)) {
      if (in == null) {
        throw new IllegalStateException(PAGE + " is missing from the jar");
      }
      html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    if (!request.getMethod().equals("GET")) {
      response.getHeaders().put("Allow", "GET");
      Responses.error(response, 405, request.getMethod() + " is not answered here; use GET", callback);
      return true;
    }
    response.getHeaders().put("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline';"
        + " style-src 'unsafe-inline'");
    Responses.send(response, 200, "text/html", html, callback);
    return true;
  }
}
