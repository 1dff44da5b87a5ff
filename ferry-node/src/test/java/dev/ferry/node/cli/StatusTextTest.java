package dev.ferry.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.node.run.NodeStatus;
import dev.ferry.node.run.ReplicaState;
import dev.ferry.node.run.StatusJson;
import dev.ferry.transport.LinkState;
import dev.ferry.transport.LinkStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusTextTest {
  private static String text(GtidSet applied) {
    NodeStatus.Replica r = new NodeStatus.Replica("r1", ReplicaState.STOPPED, Optional.of(new Gtid(0, 1, 200)),
        NodeStatus.Lag.NONE, 0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        List.of(new Gtid(0, 1, 200)), applied);
    NodeStatus s = new NodeStatus(Instant.parse("2026-12-05T00:00:00Z"), Optional.empty(),
        new NodeStatus.Journal("/j", "id", Optional.empty(), Optional.empty()), List.of(r));
    StringWriter out = new StringWriter();
    StatusText.print(new PrintWriter(out, true), s);
    return out.toString();
  }

  @Test
  void aReplicaWithHolesShowsItsAppliedSetAndLowWaterMark() {
    assertThat(text(GtidSet.parse("0:100:150-200"))).contains(
        "applied set 0:100:150-200 (low-water mark 100 in domain 0; the GTIDs missing above it are holes");
  }

  @Test
  void aContiguousSetAddsNothing() {
    assertThat(text(GtidSet.parse("0:200"))).doesNotContain("applied set");
  }

  @Test
  void theAppliedSetIsInTheJsonAndReadBack() {
    NodeStatus.Replica r = new NodeStatus.Replica("r1", ReplicaState.STOPPED, Optional.empty(), NodeStatus.Lag.NONE,
        0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
        GtidSet.parse("0:100:150-200"));
    String json = StatusJson.write(r);
    assertThat(json).contains("\"appliedSet\":\"0:100:150-200\"");
    assertThat(StatusJson.read(json, NodeStatus.Replica.class)).isEqualTo(r);
  }

  private static String text(LinkStatus link) {
    NodeStatus s = new NodeStatus(Instant.parse("2026-12-05T00:00:00Z"), Optional.empty(),
        new NodeStatus.Journal("/j", "id", Optional.empty(), Optional.empty()), List.of(), List.of(link));
    StringWriter out = new StringWriter();
    StatusText.print(new PrintWriter(out, true), s);
    return out.toString();
  }

  @Test
  void aLinkShowsItsBytesAndItsReconnectsOnceThereAreAny() {
    LinkStatus received = new LinkStatus("/in", "directory", LinkState.WAITING, Optional.of(JournalPosition.startOf(4)),
        Optional.empty(), Optional.of(4L), 3, 12_288, 0, Optional.empty());
    assertThat(text(received)).contains("3 segments and 12288 bytes received by this run")
        .doesNotContain("reconnected");
    LinkStatus pushed = new LinkStatus("b 127.0.0.1:8452", "push", LinkState.STREAMING,
        Optional.of(new JournalPosition(4, 100)), Optional.empty(), Optional.empty(), 3, 12_388, 2, Optional.empty(),
        Optional.of(new JournalPosition(4, 100)));
    assertThat(text(pushed)).contains("3 segments sealed and 12388 bytes sent by this run, reconnected 2 times");
  }
}
