package dev.ferry.node.cli;

import dev.ferry.node.run.NodeStatus;
import dev.ferry.node.run.StatusJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Reads the status files node processes write (see {@link StatusFile}). */
final class StatusReader {
  /**
   * One process's published status.
   *
   * @param alive whether the process that wrote it still runs (and had not marked itself stopped)
   */
  record Published(Path file, long pid, boolean alive, NodeStatus status) {
    static final Comparator<Published> NEWEST = Comparator.comparing(p -> p.status().time());
  }

  /** An operation writes its file every second: one not written for this long is no longer running. */
  static final Duration OPERATION_FRESH = Duration.ofSeconds(15);

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

  /**
   * The long operations running beside the node: the files {@link OperationStatus} writes whose
   * process still runs and that were written in the last {@link #OPERATION_FRESH} (a file left by
   * a killed command is not shown should its pid be reused, and is removed); none when they cannot be
   * read.
   */
  static List<NodeStatus.Operation> operations(Path configured) {
    Instant fresh = Instant.now().minus(OPERATION_FRESH);
    List<NodeStatus.Operation> running = new ArrayList<>();
    try {
      for (Path f : StatusFile.all(configured)) {
        if (!StatusFile.isOperation(f)) {
          continue;
        }
        try {
          Published p = read(f);
          if (p.alive() && p.status().time().isAfter(fresh)) {
            running.addAll(p.status().operations());
          } else if (!p.status().time().isAfter(fresh)) {
            Files.deleteIfExists(f); // left by a killed command (a running one rewrites its file every second)
          }
        } catch (IOException | RuntimeException e) {
          // replaced, removed or half-written while we listed: the next call sees it whole
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    running.sort(Comparator.comparing(NodeStatus.Operation::started));
    return running;
  }

  static Published read(Path f) throws IOException {
    StatusFile.Document d = StatusJson.read(Files.readString(f), StatusFile.Document.class);
    boolean alive = d.running() && ProcessHandle.of(d.pid()).map(ProcessHandle::isAlive).orElse(false);
    return new Published(f, d.pid(), alive, d.status());
  }
}
