package dev.ferry.node.cli;

import dev.ferry.node.run.NodeStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the status files node processes write (see {@link StatusFile}). */
final class StatusReader {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /**
   * One process's published status.
   *
   * @param alive whether the process that wrote it still runs (and had not marked itself stopped)
   */
  record Published(Path file, long pid, boolean alive, NodeStatus status) {
    static final Comparator<Published> NEWEST = Comparator.comparing(p -> p.status().time());
  }

  private StatusReader() {}

  static List<Published> readAll(Path configured) throws IOException {
    List<Published> all = new ArrayList<>();
    for (Path f : StatusFile.all(configured)) {
      try {
        all.add(read(f));
      } catch (NoSuchFileException e) {
        // replaced or removed while we listed: the next call sees the new one
      } catch (RuntimeException e) {
        throw new IOException("unreadable status file " + f + ": " + e.getMessage(), e);
      }
    }
    all.sort(Published.NEWEST.reversed());
    return all;
  }

  static Published read(Path f) throws IOException {
    JsonNode root = JSON.readTree(Files.readString(f));
    long pid = root.path("pid").asLong();
    boolean running = root.path("running").asBoolean(false);
    boolean alive = running && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    JsonNode s = root.path("status");
    JsonNode src = s.path("source");
    Optional<NodeStatus.Source> source = src.isNull() || src.isMissingNode() ? Optional.empty()
        : Optional.of(new NodeStatus.Source(src.path("name").asString(), src.path("kind").asString(),
            src.path("state").asString(), text(src, "position"), src.path("captured").asLong(), text(src, "lastError"),
            Optional.empty()));
    JsonNode j = s.path("journal");
    NodeStatus.Journal journal = new NodeStatus.Journal(j.path("dir").asString(), j.path("id").asString(),
        text(j, "lastGtid"), text(j, "lastCommitTime").map(Instant::parse));
    List<NodeStatus.Replica> replicas = new ArrayList<>();
    for (JsonNode r : s.path("replicas").values()) {
      JsonNode lag = r.path("lag");
      replicas.add(new NodeStatus.Replica(r.path("name").asString(), r.path("state").asString(), text(r, "appliedGtid"),
          lag.path("transactions").asLong(), lag.path("bytes").asLong(), lag.path("seconds").asDouble(),
          r.path("applied").asLong(), text(r, "lastError"), text(r, "position"),
          text(r, "appliedCommitTime").map(Instant::parse), text(r, "nextTry").map(Instant::parse)));
    }
    return new Published(f, pid, alive, new NodeStatus(Instant.parse(s.path("time").asString()), source, journal,
        replicas));
  }

  private static Optional<String> text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isNull() || v.isMissingNode() ? Optional.empty() : Optional.of(v.asString());
  }
}
