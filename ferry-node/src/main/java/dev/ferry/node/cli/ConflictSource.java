package dev.ferry.node.cli;

import dev.ferry.apply.jdbc.ConflictStore;
import dev.ferry.apply.jdbc.ConflictStore.Conflict;
import dev.ferry.node.admin.ConflictQuery;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.NodeStatus;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.node.run.StatusJson;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where {@code ferry conflicts} finds a node's conflicts: the replicas' targets of a configuration
 * ({@code -c}, through {@link ConflictQuery} as the admin API does), or a running node's admin API
 * ({@code --url}, through {@link RemoteNode}). Errors are {@link UsageException}s (a name or
 * parameter the node does not know) and {@link CliException}s (an unknown conflict, one resolved
 * already, an unreachable target), each naming what it is about.
 */
sealed interface ConflictSource {
  /** The replicas whose conflicts to read: {@code replica} when given, else all of the node's. */
  List<String> replicas(Optional<String> replica);

  /** The conflicts of {@code replica} the parameters select, newest first. */
  List<Conflict> list(String replica, Map<String, String> params);

  Conflict show(String replica, long id);

  Conflict resolve(String replica, long id, ConflictStore.Resolution resolution);

  /** The one replica {@code show} and {@code resolve} act on: {@code replica}, or the node's only one. */
  default String oneReplica(Optional<String> replica) {
    List<String> all = replicas(replica);
    if (all.size() != 1) {
      throw new UsageException("give --replica NAME; this node applies " + all);
    }
    return all.getFirst();
  }

  /** The conflicts of {@code replicas}, newest first over all of them, at most the query's limit. */
  default List<Conflict> listAll(List<String> replicas, Map<String, String> params) {
    int limit = query(params).limit();
    List<Conflict> all = new ArrayList<>();
    for (String r : replicas) {
      all.addAll(list(r, params));
    }
    if (replicas.size() > 1) {
      all.sort(Comparator.comparing((Conflict c) -> c.detectedAt().orElse(java.time.Instant.EPOCH)).reversed());
    }
    return all.size() > limit ? all.subList(0, limit) : all;
  }

  /** The query the parameters make, checked here before any database or node is asked. */
  static ConflictQuery query(Map<String, String> params) {
    try {
      return ConflictQuery.parse(params::get, InstantSource.system());
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** The replicas' targets of {@code config}. */
  record Local(FerryConfig config) implements ConflictSource {
    @Override
    public List<String> replicas(Optional<String> replica) {
      replica.ifPresent(name -> NodeSpecs.requireReplica(config, name));
      return replica.map(List::of).orElse(NodeSpecs.replicaNames(config));
    }

    @Override
    public List<Conflict> list(String replica, Map<String, String> params) {
      try {
        return query(params).list(spec(replica));
      } catch (SQLException e) {
        throw unreadable(replica, e);
      }
    }

    @Override
    public Conflict show(String replica, long id) {
      try {
        return ConflictQuery.show(spec(replica), id).orElseThrow(() -> noConflict(replica, id));
      } catch (SQLException e) {
        throw unreadable(replica, e);
      }
    }

    @Override
    public Conflict resolve(String replica, long id, ConflictStore.Resolution resolution) {
      try {
        return ConflictQuery.resolve(spec(replica), id, resolution).orElseThrow(() -> noConflict(replica, id));
      } catch (ConflictStore.AlreadyResolvedException e) {
        throw new CliException(e.getMessage());
      } catch (SQLException e) {
        throw new CliException("[replica " + replica + "] cannot mark conflict " + id + " resolved in its conflicts"
            + " table: " + e.getMessage());
      }
    }

    private ReplicaSpec spec(String replica) {
      return NodeSpecs.replica(config, config.replicas().stream().filter(r -> r.name().equals(replica)).findFirst()
          .orElseThrow());
    }

    private static CliException unreadable(String replica, SQLException e) {
      return new CliException("[replica " + replica + "] cannot read its conflicts table: " + e.getMessage());
    }

    private static CliException noConflict(String replica, long id) {
      return new CliException("replica " + replica + " recorded no conflict " + id);
    }
  }

  /** A running node's admin API. */
  record Remote(RemoteNode node) implements ConflictSource {
    @Override
    public List<String> replicas(Optional<String> replica) {
      return replica.map(List::of).orElseGet(() -> node.status().replicas().stream().map(NodeStatus.Replica::name)
          .toList());
    }

    @Override
    public List<Conflict> list(String replica, Map<String, String> params) {
      Map<String, String> all = new LinkedHashMap<>(params);
      all.put("replica", replica);
      return List.of(StatusJson.read(node.get("api/conflicts" + queryString(all)).expect(), Conflict[].class));
    }

    @Override
    public Conflict show(String replica, long id) {
      return StatusJson.read(node.get("api/conflicts/" + id + queryString(Map.of("replica", replica))).expect(),
          Conflict.class);
    }

    @Override
    public Conflict resolve(String replica, long id, ConflictStore.Resolution resolution) {
      Map<String, String> body = new LinkedHashMap<>();
      resolution.note().ifPresent(n -> body.put("note", n));
      body.put("by", resolution.by());
      return StatusJson.read(node.post("api/conflicts/" + id + "/resolve" + queryString(Map.of("replica",
          replica)), StatusJson.write(body)).expect(), Conflict.class);
    }

    private static String queryString(Map<String, String> params) {
      StringBuilder b = new StringBuilder();
      params.forEach((k, v) -> b.append(b.isEmpty() ? '?' : '&').append(k).append('=')
          .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
      return b.toString();
    }
  }
}
