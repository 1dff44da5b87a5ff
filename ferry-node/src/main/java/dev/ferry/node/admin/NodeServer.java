package dev.ferry.node.admin;

import dev.ferry.node.run.FerryNode;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.transport.http.HttpServeConfig;
import dev.ferry.transport.http.SegmentServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.server.Handler;

/**
 * Starts the node's one HTTP server ({@code http:} in {@code ferry.yaml}): the dashboard at {@code
 * /} (a static page, served without the token), {@code /metrics}, the admin API under {@code /api/}, and, when {@code journal.serve.http} listens on the same address,
 * the journal's sealed segments on every other path.
 */
public final class NodeServer {
  private NodeServer() {
  }

  /**
   * @param journal the journal directory whose sealed segments are served too, if any
   * @param replicas the replicas this process applies
   * @throws IOException if the address cannot be listened on
   */
  public static SegmentServer start(HttpServeConfig config, FerryNode node, NodeMetrics metrics,
      List<ReplicaSpec> replicas, Optional<Path> journal, String name) throws IOException {
    Map<String, Handler> mounts = Map.of(
        "/", new DashboardHandler(),
        "/metrics", new MetricsHandler(metrics),
        "/api/", new AdminApi(node, replicas));
    return SegmentServer.start(config, journal, mounts, Set.of("/"), name);
  }
}
