package dev.ferry.node.admin;

import dev.ferry.apply.ConflictType;
import dev.ferry.apply.jdbc.ConflictStore;
import dev.ferry.node.run.FerryNode;
import dev.ferry.node.run.NodeStatus;
import dev.ferry.node.run.ReplicaSpec;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The admin API under {@code /api/} (JSON; {@code docs/operations.md}): the status document, its
 * last minutes ({@link StatusHistory}), suspend and resume of a replica, and the conflicts a replica recorded on its target. Bad input
 * gets a 4xx with {@code {"error": …}} naming what was wrong. Thread-safe.
 */
final class AdminApi extends Handler.Abstract {
  private static final int DEFAULT_LIMIT = 100;
  private static final int MAX_LIMIT = 1000;
  private static final Set<String> CONFLICT_KEYS = Set.of("replica", "table", "type", "limit");
  private final FerryNode node;
  private final List<ReplicaSpec> replicas;
  private final StatusHistory history;

  /** @param replicas the replicas this process applies (their targets hold their conflicts) */
  AdminApi(FerryNode node, List<ReplicaSpec> replicas) {
    this.node = node;
    this.replicas = List.copyOf(replicas);
    this.history = new StatusHistory(node::status);
  }

  /** With the server: the history is sampled while the API is served. */
  @Override
  protected void doStart() throws Exception {
    history.start();
    super.doStart();
  }

  @Override
  protected void doStop() throws Exception {
    history.close();
    super.doStop();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getPath();
    String[] parts = path.substring("/api/".length()).split("/", -1);
    String method = request.getMethod();
    try {
      if (parts.length == 1 && parts[0].equals("status")) {
        if (get(method, response, callback)) {
          reply(response, 200, node.status(), callback);
        }
        return true;
      }
      if (parts.length == 1 && parts[0].equals("history")) {
        if (get(method, response, callback)) {
          reply(response, 200, history.document(), callback);
        }
        return true;
      }
      if (parts.length == 3 && parts[0].equals("replicas") && Set.of("suspend", "resume").contains(parts[2])) {
        if (post(method, response, callback)) {
          suspend(parts[1], parts[2].equals("suspend"), response, callback);
        }
        return true;
      }
      if (parts[0].equals("conflicts") && parts.length <= 2) {
        if (!get(method, response, callback)) {
          return true;
        }
        Fields query = Request.extractQueryParameters(request);
        if (parts.length == 1 || parts[1].isEmpty()) {
          conflicts(query, response, callback);
        } else {
          conflict(parts[1], query, response, callback);
        }
        return true;
      }
      Responses.error(response, 404, "no such API path " + path + "; there are /api/status,"
          + " /api/history, /api/replicas/{name}/suspend|resume, /api/conflicts and /api/conflicts/{id}", callback);
    } catch (BadRequest e) {
      Responses.error(response, e.status, e.getMessage(), callback);
    }
    return true;
  }

  private boolean suspend(String name, boolean suspend, Response response, Callback callback) throws BadRequest {
    try {
      if (!node.suspend(name, suspend)) {
        throw unknownReplica(name);
      }
    } catch (IOException e) {
      throw new BadRequest(500, "[replica " + name + "] cannot write its control file: " + e.getMessage());
    }
    return reply(response, 200, Map.of("replica", name, "suspended", suspend), callback);
  }

  private boolean conflicts(Fields query, Response response, Callback callback) throws BadRequest {
    for (String k : query.getNames()) {
      if (!CONFLICT_KEYS.contains(k)) {
        throw new BadRequest(400, "unknown query parameter '" + k + "'; give replica, table, type or limit");
      }
    }
    Optional<ConflictType> type = Optional.ofNullable(query.getValue("type")).map(AdminApi::conflictType);
    Optional<String> table = Optional.ofNullable(query.getValue("table")).filter(t -> !t.isBlank());
    long limit = number("limit", Optional.ofNullable(query.getValue("limit")).orElse(String.valueOf(DEFAULT_LIMIT)));
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new BadRequest(400, "limit " + limit + " is out of range 1.." + MAX_LIMIT);
    }
    ReplicaSpec replica = replica(query);
    try (Connection c = replica.connect()) {
      return reply(response, 200, ConflictStore.list(c, new ConflictStore.Filter(replica.name(), table, type, (int) limit)),
          callback);
    } catch (SQLException e) {
      throw unreadable(replica, e);
    }
  }

  private boolean conflict(String id, Fields query, Response response, Callback callback) throws BadRequest {
    long n = number("conflict id", id);
    ReplicaSpec replica = replica(query);
    try (Connection c = replica.connect()) {
      Optional<ConflictStore.Conflict> found = ConflictStore.get(c, replica.name(), n);
      if (found.isEmpty()) {
        throw new BadRequest(404, "replica " + replica.name() + " recorded no conflict " + n);
      }
      return reply(response, 200, found.get(), callback);
    } catch (SQLException e) {
      throw unreadable(replica, e);
    }
  }

  /** The replica named by {@code ?replica=}; may be left out when this process applies only one. */
  private ReplicaSpec replica(Fields query) throws BadRequest {
    String name = query.getValue("replica");
    if (name == null || name.isBlank()) {
      if (replicas.size() == 1) {
        return replicas.getFirst();
      }
      throw new BadRequest(400, "give ?replica=NAME; this node applies " + names());
    }
    return replicas.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(() -> unknownReplica(name));
  }

  private BadRequest unknownReplica(String name) {
    return new BadRequest(404, "no replica named '" + name + "' in this node; it applies " + names());
  }

  private List<String> names() {
    return node.status().replicas().stream().map(NodeStatus.Replica::name).toList();
  }

  private static BadRequest unreadable(ReplicaSpec replica, SQLException e) {
    return new BadRequest(502, "[replica " + replica.name() + "] cannot read its conflicts table: " + e.getMessage());
  }

  private static ConflictType conflictType(String label) {
    return Arrays.stream(ConflictType.values()).filter(t -> t.label().equals(label)).findFirst()
        .orElseThrow(() -> new BadRequest(400, "unknown conflict type '" + label + "'; the types are "
            + Arrays.stream(ConflictType.values()).map(ConflictType::label).toList()));
  }

  private static long number(String what, String text) throws BadRequest {
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw new BadRequest(400, what + " '" + text + "' is not a number");
    }
  }

  private static boolean get(String method, Response response, Callback callback) {
    return only("GET", method, response, callback);
  }

  private static boolean post(String method, Response response, Callback callback) {
    return only("POST", method, response, callback);
  }

  private static boolean only(String allowed, String method, Response response, Callback callback) {
    if (method.equals(allowed)) {
      return true;
    }
    response.getHeaders().put("Allow", allowed);
    Responses.error(response, 405, method + " is not answered here; use " + allowed, callback);
    return false;
  }

  private static boolean reply(Response response, int status, Object document, Callback callback) {
    Responses.json(response, status, document, callback);
    return true;
  }

  /** Bad input: the status to answer and the message naming what was wrong. */
  private static final class BadRequest extends RuntimeException {
    private final int status;

    BadRequest(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
