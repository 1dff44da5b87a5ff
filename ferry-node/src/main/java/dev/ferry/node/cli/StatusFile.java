package dev.ferry.node.cli;

import dev.ferry.journal.DurableFiles;
import dev.ferry.node.run.FerryNode;
import dev.ferry.node.run.NodeStatus;
import dev.ferry.node.run.StatusJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The status a node process publishes for {@code ferry status}: one JSON file per process
 * ({@code status.json} for {@code run}, {@code status-capture.json}, {@code status-apply-*.json}
 * beside it, and {@code status-op-<pid>.json} for a long operation: {@link OperationStatus}),
 * replaced durably ({@link DurableFiles}) every second. Not thread-safe.
 */
final class StatusFile {
  /**
   * What a status file holds.
   *
   * @param pid the writing process
   * @param role {@code run}, {@code capture} or {@code apply}
   * @param running false once the process marked itself stopped
   * @param status what it was doing
   */
  record Document(long pid, String role, boolean running, NodeStatus status) {}

  private final Path file;
  private final String role;
  private NodeStatus last;

  /** The role of a file an operation ({@link OperationStatus}) writes. */
  static final String OPERATION = "operation";
  private static final String OPERATION_INFIX = "-op-";

  StatusFile(Path configured, FerryNode.Role role, List<String> replicas) {
    this.role = role.name().toLowerCase(Locale.ROOT);
    this.file = switch (role) {
      case RUN -> configured;
      case CAPTURE -> sibling(configured, "capture");
      case APPLY -> sibling(configured, "apply-" + (replicas.isEmpty() ? "all" : String.join("+", replicas)));
    };
  }

  private StatusFile(Path file, String role) {
    this.file = file;
    this.role = role;
  }

  /** The file of the long operation this process runs. */
  static StatusFile forOperation(Path configured) {
    return new StatusFile(sibling(configured, OPERATION_INFIX.substring(1) + ProcessHandle.current().pid()),
        OPERATION);
  }

  /** Whether {@code f} is an operation's file. */
  static boolean isOperation(Path f) {
    return f.getFileName().toString().contains(OPERATION_INFIX);
  }

  /** Removes the file: the operation is over. */
  void remove() throws IOException {
    Files.deleteIfExists(file);
  }

  private static Path sibling(Path configured, String suffix) {
    String name = configured.getFileName().toString();
    String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    return configured.resolveSibling(base + "-" + suffix + ".json");
  }

  /** Every status file a node with this configured path may write. */
  static List<Path> all(Path configured) throws IOException {
    Path dir = configured.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    String name = configured.getFileName().toString();
    String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    try (var files = Files.list(dir)) {
      return files.filter(p -> {
        String n = p.getFileName().toString();
        return n.equals(name) || (n.startsWith(base + "-") && n.endsWith(".json"));
      }).sorted().toList();
    }
  }

  void write(NodeStatus status) throws IOException {
    last = status;
    write(status, true);
  }

  /**
   * Marks the process stopped with its final status, read from the closed node; the last status
   * written stands if the closed node cannot tell.
   */
  void markStopped(java.util.function.Supplier<NodeStatus> closed) throws IOException {
    NodeStatus end = last;
    try {
      end = closed.get();
    } catch (RuntimeException e) {
      // the last published status stands
    }
    if (end != null) {
      write(end, false);
    }
  }

  private void write(NodeStatus status, boolean running) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    String json = StatusJson.write(new Document(ProcessHandle.current().pid(), role, running, status)) + "\n";
    DurableFiles.write(file, json.getBytes(StandardCharsets.UTF_8));
  }
}
