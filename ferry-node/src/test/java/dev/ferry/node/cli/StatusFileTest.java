package dev.ferry.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.Gtid;
import dev.ferry.node.run.FerryNode;
import dev.ferry.node.run.NodeStatus;
import dev.ferry.node.run.ReplicaState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's status file, as {@code ferry status} reads it back. */
class StatusFileTest {
  @TempDir Path dir;

  private static NodeStatus status() {
    return status(ReplicaState.STREAMING, 5);
  }

  private static NodeStatus status(ReplicaState state, long applied) {
    return new NodeStatus(Instant.parse("2026-12-05T07:30:00Z"), Optional.empty(),
        new NodeStatus.Journal("j", "id", Optional.of(new Gtid(0, 1, applied)), Optional.empty()),
        List.of(new NodeStatus.Replica("r1", state, Optional.of(new Gtid(0, 1, applied)),
            NodeStatus.Lag.NONE, applied, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty())));
  }

  @Test
  void holdsPidRoleRunningAndTheStatusOnOneLineAndReadsBack() throws Exception {
    Path configured = dir.resolve("status.json");
    StatusFile file = new StatusFile(configured, FerryNode.Role.APPLY, List.of("r1"));
    file.write(status());
    Path written = dir.resolve("status-apply-r1.json");
    String text = Files.readString(written);
    assertThat(text).startsWith("{\"pid\":" + ProcessHandle.current().pid() + ",\"role\":\"apply\",\"running\":true,"
        + "\"status\":{\"time\":\"2026-12-05T07:30:00Z\",").endsWith("}\n");
    StatusReader.Published read = StatusReader.read(written);
    assertThat(read.alive()).isTrue();
    assertThat(read.status()).isEqualTo(status());

    file.markStopped(() -> status(ReplicaState.STOPPED, 7));
    assertThat(StatusReader.read(written).alive()).isFalse();
    assertThat(StatusFile.all(configured)).containsExactly(written);
  }

  /** A stopped node's file holds where it stopped — what it applied after the last second's write too. */
  @Test
  void markStoppedKeepsTheClosedNodesFinalStatusAndTheLastOneIfItCannotTell() throws Exception {
    Path configured = dir.resolve("status.json");
    StatusFile file = new StatusFile(configured, FerryNode.Role.RUN, List.of());
    file.write(status());
    file.markStopped(() -> status(ReplicaState.STOPPED, 7));
    assertThat(StatusReader.read(configured).status()).isEqualTo(status(ReplicaState.STOPPED, 7));

    file.markStopped(() -> {
      throw new IllegalStateException("closed");
    });
    assertThat(StatusReader.read(configured).status()).isEqualTo(status());
  }

  /** A long operation's file older than the freshness bound (its command was killed) is not shown and is removed. */
  @Test
  void aStaleOperationFileIsNotShownAndIsRemoved() throws Exception {
    Path configured = dir.resolve("status.json");
    StatusFile.forOperation(configured).write(status());
    Path written = StatusFile.all(configured).getFirst();
    assertThat(StatusFile.isOperation(written)).isTrue();

    assertThat(StatusReader.operations(configured)).isEmpty();
    assertThat(written).doesNotExist();
  }
}
