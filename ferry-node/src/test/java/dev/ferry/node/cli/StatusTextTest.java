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
    return text(new NodeStatus.Replica("r1", ReplicaState.STOPPED, Optional.of(new Gtid(0, 1, 200)),
        NodeStatus.Lag.NONE, 0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        List.of(new Gtid(0, 1, 200)), applied));
  }

  private static String text(NodeStatus.Replica r) {
    return text(new NodeStatus(Instant.parse("2026-12-05T00:00:00Z"), Optional.empty(),
        new NodeStatus.Journal("/j", "id", Optional.empty(), Optional.empty()), List.of(r)));
  }

  private static String text(NodeStatus s) {
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

  @Test
  void aParallelReplicaShowsItsWorkersAndCommitOrderInTextAndJson() {
    NodeStatus.Replica r = new NodeStatus.Replica("r1", ReplicaState.STREAMING, Optional.empty(), NodeStatus.Lag.NONE,
        0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(), GtidSet.empty(),
        Optional.of(new NodeStatus.Workers(4, "relaxed")), Optional.empty());
    String json = StatusJson.write(r);
    assertThat(json).contains("\"workers\":{\"count\":4,\"commitOrder\":\"relaxed\"}");
    assertThat(StatusJson.read(json, NodeStatus.Replica.class)).isEqualTo(r);
    assertThat(text(r)).contains("applying with 4 workers, commit order relaxed");
  }

  @Test
  void aSeedingReplicaShowsHowFarItsInitialSyncGotInTextAndJson() {
    NodeStatus.Replica r = new NodeStatus.Replica("r1", ReplicaState.SEEDING, Optional.empty(), NodeStatus.Lag.NONE,
        0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(), GtidSet.empty(),
        Optional.empty(), Optional.of(new NodeStatus.Progress("initial sync", 1, 3, 25_000, 100_000, 5_000, 5,
            Optional.of(15L))));
    String json = StatusJson.write(r);
    assertThat(json).contains("\"progress\":{\"operation\":\"initial sync\",\"tablesDone\":1,\"tables\":3,"
        + "\"rows\":25000,\"estimatedRows\":100000,\"rowsPerSecond\":5000,\"elapsedSeconds\":5,\"etaSeconds\":15,\"bytes\":null}");
    assertThat(StatusJson.read(json, NodeStatus.Replica.class)).isEqualTo(r);
    assertThat(text(r)).contains("initial sync: 1/3 tables, 25,000/100,000 rows (25%), 5,000 rows/s, ETA 0:15");
  }

  @Test
  void aReplicaCatchingUpShowsItsRatesAndWhenItIsCaughtUpInTextAndJson() {
    NodeStatus.Lag lag = new NodeStatus.Lag(12_000, 1_048_576, 360, List.of()).withCatchUp(
        Optional.of(new NodeStatus.CatchUp(1_500.5, 300, Optional.of(10L))));
    NodeStatus.Replica r = new NodeStatus.Replica("r1", ReplicaState.STREAMING, Optional.empty(), lag, 0,
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    String json = StatusJson.write(r);
    assertThat(json).contains("\"catchUp\":{\"applyRate\":1500.5,\"incomingRate\":300.0,\"etaSeconds\":10}");
    assertThat(StatusJson.read(json, NodeStatus.Replica.class)).isEqualTo(r);
    assertThat(text(r)).contains("catching up: 1,500.5 transactions/s applied, 300.0/s coming in, caught up in 0:10");
    NodeStatus.Replica losing = r.withLag(lag.withCatchUp(Optional.of(new NodeStatus.CatchUp(100, 300,
        Optional.empty()))));
    assertThat(text(losing)).contains("ETA unknown (not gaining)");
    assertThat(r.stopped().lag().catchUp()).as("no process applies a stopped replica").isEmpty();
    assertThat(lag.withCatchUp(Optional.empty()).catchUp()).isEmpty();
    assertThat(NodeStatus.Lag.NONE.withCatchUp(lag.catchUp()).catchUp()).as("caught up: no estimate").isEmpty();
  }

  @Test
  void anOperationBesideTheNodeShowsItsRowsBytesRateAndEtaInTextAndJson() {
    NodeStatus.Progress load = new NodeStatus.Progress("load", 1, 3, 4_000, 9_000, 2_000, 2, Optional.of(3L),
        Optional.of(new NodeStatus.Bytes(200_000, Optional.of(450_000L), 100_000)));
    NodeStatus s = new NodeStatus(Instant.parse("2026-12-05T00:00:00Z"), Optional.empty(),
        new NodeStatus.Journal("/j", "id", Optional.empty(), Optional.empty()), List.of(), List.of(),
        List.of(new NodeStatus.Operation("/a into replica r1", 4242, Instant.parse("2026-12-04T23:59:58Z"), load)));
    String json = StatusJson.of(s);
    assertThat(json).endsWith(",\"operations\":[{\"subject\":\"/a into replica r1\",\"pid\":4242,"
        + "\"started\":\"2026-12-04T23:59:58Z\",\"progress\":{\"operation\":\"load\",\"tablesDone\":1,"
        + "\"tables\":3,\"rows\":4000,\"estimatedRows\":9000,\"rowsPerSecond\":2000,\"elapsedSeconds\":2,"
        + "\"etaSeconds\":3,\"bytes\":{\"done\":200000,\"total\":450000,\"perSecond\":100000}}}]}");
    assertThat(StatusJson.read(json, NodeStatus.class)).isEqualTo(s);
    assertThat(text(s)).contains("running  load /a into replica r1 (pid 4242, since 2026-12-04T23:59:58Z)\n"
        + "         load: 1/3 tables, 4,000/9,000 rows (44%), 2,000 rows/s, 200,000/450,000 bytes (100,000 bytes/s), "
        + "ETA 0:03");
  }

  private static String text(LinkStatus link) {
    return text(new NodeStatus(Instant.parse("2026-12-05T00:00:00Z"), Optional.empty(),
        new NodeStatus.Journal("/j", "id", Optional.empty(), Optional.empty()), List.of(), List.of(link)));
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
