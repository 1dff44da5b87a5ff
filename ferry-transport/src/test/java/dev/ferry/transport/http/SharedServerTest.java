package dev.ferry.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.transport.BearerToken;
import dev.ferry.transport.SegmentListing;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One server for a node: handlers mounted on their paths beside the journal's segments, behind the
 * same token; a server without a journal answers only its mounts.
 */
@Timeout(60)
class SharedServerTest {
  private static final String TOKEN = "shared-token";
  private final HttpClient client = HttpClient.newHttpClient();
  @TempDir Path dir;

  @Test
  void mountedPathsAndSegmentsShareOneServerAndOneToken() throws Exception {
    try (Journal journal = Journal.open(JournalConfig.defaults(dir).withSegmentBytes(4096))) {
      for (int seq = 1; seq <= 60; seq++) {
        journal.append(Transactions.accounts(seq)).join();
      }
    }
    HttpServeConfig config = new HttpServeConfig("127.0.0.1", 0, Optional.of(new BearerToken(TOKEN)));
    try (SegmentServer server = SegmentServer.start(config, Optional.of(dir),
        Map.of("/metrics", text("metrics"), "/api/", text("api"), "/", text("page")), Set.of("/"), "[node test]")) {
      String base = "http://" + server.address();
      assertThat(get(base + "/metrics", true).body()).isEqualTo("metrics");
      assertThat(get(base + "/api/status", true).body()).isEqualTo("api");
      assertThat(get(base + "/" + SegmentListing.FILE_NAME, true).statusCode()).isEqualTo(200);
      assertThat(get(base + "/metrics", false).statusCode()).isEqualTo(401);
      assertThat(get(base + "/api/status", false).statusCode()).isEqualTo(401);
      assertThat(get(base + "/" + SegmentListing.FILE_NAME, false).statusCode()).isEqualTo(401);
      assertThat(get(base + "/metricsx", true).statusCode()).isEqualTo(404);
      assertThat(get(base + "/", false).body()).as("an open path needs no token").isEqualTo("page");
    }
  }

  @Test
  void aServerWithoutAJournalAnswersOnlyItsMounts() throws Exception {
    HttpServeConfig config = new HttpServeConfig("127.0.0.1", 0, Optional.empty());
    try (SegmentServer server = SegmentServer.start(config, Optional.empty(), Map.of("/metrics", text("m")), Set.of(),
        "[node test]")) {
      String base = "http://" + server.address();
      assertThat(get(base + "/metrics", false).body()).isEqualTo("m");
      assertThat(get(base + "/" + SegmentListing.FILE_NAME, false).statusCode()).isEqualTo(404);
    }
  }

  private HttpResponse<String> get(String url, boolean withToken) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (withToken) {
      b.header("Authorization", "Bearer " + TOKEN);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Handler text(String body) {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.setStatus(200);
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
      }
    };
  }
}
