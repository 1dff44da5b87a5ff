package dev.ferry.node.admin;

import dev.ferry.apply.jdbc.ConflictStore;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Tag;
import dev.ferry.node.run.FerryNode;
import dev.ferry.node.run.NodeStatus;
import dev.ferry.node.run.ReplicaSkip;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.node.run.StatusJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The admin API under {@code /api/} (JSON; {@code docs/operations.md}): the status document, its
 * last minutes ({@link StatusHistory}), suspend and resume of a replica, the skip of a stopped
 * replica's next transaction ({@link FerryNode#skip}), and the conflicts a replica recorded on its
 * target ({@link ConflictQuery}: list, show, mark resolved). Bad input
 * gets a 4xx with {@code {"error": …}} naming what was wrong. Thread-safe.
 */
final class AdminApi extends Handler.Abstract {
  private static final Set<String> RESOLVE_KEYS = Set.of("replica", "note", "by");
  private static final Set<String> SKIP_KEYS = Set.of("gtid", "note", "by");
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
      if (parts.length == 3 && parts[0].equals("replicas") && Set.of("suspend", "resume", "skip").contains(parts[2])) {
        if (post(method, response, callback)) {
          replicaAction(parts[1], parts[2], request, response, callback);
        }
        return true;
      }
      if (parts.length == 1 && parts[0].equals("tag")) {
        if (post(method, response, callback)) {
          tag(request, response, callback);
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
      if (parts.length == 3 && parts[0].equals("conflicts") && parts[2].equals("resolve")) {
        if (post(method, response, callback)) {
          resolve(parts[1], request, response, callback);
        }
        return true;
      }
      Responses.error(response, 404, "no such API path " + path + "; there are /api/status,"
          + " /api/history, /api/replicas/{name}/suspend|resume|skip, /api/tag, /api/conflicts, /api/conflicts/{id} and"
          + " /api/conflicts/{id}/resolve", callback);
    } catch (BadRequest e) {
      Responses.error(response, e.status, e.getMessage(), callback);
    }
    return true;
  }

  /** {@code POST /api/replicas/{name}/suspend}, {@code resume} or {@code skip}. */
  private void replicaAction(String name, String action, Request request, Response response, Callback callback)
      throws BadRequest {
    if (action.equals("skip")) {
      skip(name, request, response, callback);
    } else {
      suspend(name, action.equals("suspend"), response, callback);
    }
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
      if (!k.equals("replica") && !ConflictQuery.PARAMETERS.contains(k)) {
        throw new BadRequest(400, "unknown query parameter '" + k + "'; give replica, "
            + String.join(", ", ConflictQuery.PARAMETERS));
      }
    }
    ConflictQuery conflicts = badInput(() -> ConflictQuery.parse(query::getValue, InstantSource.system()));
    ReplicaSpec replica = replica(query);
    try {
      return reply(response, 200, conflicts.list(replica), callback);
    } catch (SQLException e) {
      throw unreadable(replica, e);
    }
  }

  private boolean conflict(String id, Fields query, Response response, Callback callback) throws BadRequest {
    long n = badInput(() -> ConflictQuery.number("conflict id", id));
    ReplicaSpec replica = replica(query);
    try {
      return reply(response, 200, ConflictQuery.show(replica, n).orElseThrow(() -> noConflict(replica, n)), callback);
    } catch (SQLException e) {
      throw unreadable(replica, e);
    }
  }

  /**
   * {@code POST /api/replicas/{name}/skip}: the GTID, the note and who skipped it as parameters or a
   * JSON body; only for a replica stopped on an error, and only its next transaction (409 otherwise).
   */
  private boolean skip(String name, Request request, Response response, Callback callback) throws BadRequest {
    Fields query = Request.extractQueryParameters(request);
    for (String k : query.getNames()) {
      if (!SKIP_KEYS.contains(k)) {
        throw new BadRequest(400, "unknown query parameter '" + k + "'; give gtid, note or by");
      }
    }
    SkipBody body = body(request, SkipBody.class, "{\"gtid\": \"0-1-42\", \"note\": \"…\", \"by\": \"…\"}");
    String text = given(query, "gtid", body.gtid()).orElseThrow(() -> new BadRequest(400, "give the GTID to skip:"
        + " ?gtid=DOMAIN-SERVER-SEQ or {\"gtid\": …} (the replica's next transaction, as its lastError names it)"));
    Gtid gtid = badInput(() -> Gtid.parse(text.strip()));
    ConflictStore.Resolution resolution = new ConflictStore.Resolution(Instant.now(), given(query, "by", body.by())
        .orElseGet(() -> "api client " + Request.getRemoteAddr(request)), given(query, "note", body.note()));
    ReplicaSkip.Skipped skipped;
    try {
      skipped = node.skip(name, gtid, resolution).orElseThrow(() -> unknownReplica(name));
    } catch (ReplicaSkip.RefusedException e) {
      throw new BadRequest(409, e.getMessage());
    } catch (IOException e) {
      throw new BadRequest(502, e.getMessage());
    }
    return reply(response, 200, Map.of("replica", name, "skipped", skipped.gtid().toString(), "tables",
        skipped.tables(), "changes", skipped.changes(), "by", resolution.by()), callback);
  }

  /** {@code POST /api/tag}: the tag's name as {@code ?name=} or a JSON body; written on the source this node captures. */
  private boolean tag(Request request, Response response, Callback callback) throws BadRequest {
    Fields query = Request.extractQueryParameters(request);
    for (String k : query.getNames()) {
      if (!k.equals("name")) {
        throw new BadRequest(400, "unknown query parameter '" + k + "'; give name");
      }
    }
    TagBody body = body(request, TagBody.class, "{\"name\": \"before-upgrade\"}");
    String text = given(query, "name", body.name()).orElseThrow(() -> new BadRequest(400, "give the tag's name:"
        + " ?name=NAME or {\"name\": …} (1 to 63 letters, digits, '.', '_' or '-')"));
    Tag tag = badInput(() -> new Tag(text.strip()));
    try {
      String at = node.tag(tag).orElseThrow(() -> new BadRequest(409, "this node captures no source (a replica"
          + " node or 'ferry apply'): write the tag through the node that captures the source"));
      return reply(response, 200, Map.of("tag", tag.name(), "at", at), callback);
    } catch (FerryNode.TagRefusedException e) {
      throw new BadRequest(409, e.getMessage());
    } catch (IOException e) {
      throw new BadRequest(502, "cannot write tag " + tag.name() + " on the source: " + e.getMessage());
    }
  }

  /** What a tag request's body may say. */
  record TagBody(String name) {
  }

  /** What a skip request's body may say. */
  record SkipBody(String gtid, String note, String by) {
  }

  /** The parameter {@code key}, else the body's {@code fromBody}; blank is none. */
  private static Optional<String> given(Fields query, String key, String fromBody) {
    return Optional.ofNullable(query.getValue(key)).or(() -> Optional.ofNullable(fromBody)).filter(t -> !t.isBlank());
  }

  /** {@code POST /api/conflicts/{id}/resolve?replica=}: the note and who resolved it as parameters or a JSON body. */
  private boolean resolve(String id, Request request, Response response, Callback callback) throws BadRequest {
    long n = badInput(() -> ConflictQuery.number("conflict id", id));
    Fields query = Request.extractQueryParameters(request);
    for (String k : query.getNames()) {
      if (!RESOLVE_KEYS.contains(k)) {
        throw new BadRequest(400, "unknown query parameter '" + k + "'; give replica, note or by");
      }
    }
    ResolveBody body = body(request, ResolveBody.class, "{\"note\": \"…\", \"by\": \"…\"}");
    Optional<String> note = given(query, "note", body.note());
    String by = given(query, "by", body.by()).orElseGet(() -> "api client " + Request.getRemoteAddr(request));
    ReplicaSpec replica = replica(query);
    try {
      return reply(response, 200, ConflictQuery.resolve(replica, n, new ConflictStore.Resolution(Instant.now(), by,
          note)).orElseThrow(() -> noConflict(replica, n)), callback);
    } catch (ConflictStore.AlreadyResolvedException e) {
      throw new BadRequest(409, e.getMessage());
    } catch (SQLException e) {
      throw new BadRequest(502, "[replica " + replica.name() + "] cannot mark conflict " + n + " resolved in its"
          + " conflicts table: " + e.getMessage());
    }
  }

  /** The request's JSON body as {@code type} (a record of strings, like {@code example}); none is an empty one. */
  private static <T> T body(Request request, Class<T> type, String example) throws BadRequest {
    String text;
    try {
      text = Content.Source.asString(request, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BadRequest(400, "cannot read the request body: " + e.getMessage());
    }
    try {
      return StatusJson.read(text == null || text.isBlank() ? "{}" : text, type);
    } catch (RuntimeException e) {
      throw new BadRequest(400, "the body is no JSON object like " + example + ": " + e.getMessage());
    }
  }

  /** What a resolve request's body may say. */
  record ResolveBody(String note, String by) {
  }

  private static BadRequest noConflict(ReplicaSpec replica, long id) {
    return new BadRequest(404, "replica " + replica.name() + " recorded no conflict " + id);
  }

  /** {@code parse}'s value, or a 400 with its message. */
  private static <T> T badInput(java.util.function.Supplier<T> parse) throws BadRequest {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new BadRequest(400, e.getMessage());
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
