package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.transport.LinkState;
import dev.ferry.transport.LinkStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;

/**
 * The status JSON is a documented interface (docs/cli.md) that scripts and the e2e tests parse:
 * its keys, their order and the form of every value are pinned here, byte for byte as the
 * hand-written writer before it produced them, and reading gives back the same typed document.
 */
class StatusJsonTest {
  private static final Instant TIME = Instant.parse("2026-12-05T07:30:00.123456Z");
  private static final Instant COMMITTED = Instant.parse("2026-12-05T07:29:59.5Z");

  private static NodeStatus full() {
    NodeStatus.Source source = new NodeStatus.Source("primary", "postgresql", SourceState.STREAMING,
        Optional.of("0/16B3748"), 42, Optional.of("said \"no\"\n"), Optional.of(8192L));
    NodeStatus.Journal journal = new NodeStatus.Journal("/var/ferry/journal", "0a1b2c3d-0000-4000-8000-000000000000",
        Optional.of(new Gtid(0, 1, 4711)), Optional.of(COMMITTED), List.of(),
        List.of(new NodeStatus.Consumer("http.east", new JournalPosition(2, 0)),
            new NodeStatus.Consumer("r1", new JournalPosition(3, 4096))));
    NodeStatus.Replica streaming = new NodeStatus.Replica("r1", ReplicaState.STREAMING,
        Optional.of(new Gtid(0, 1, 4700)), new NodeStatus.Lag(11, 2048, 0.25, List.of(new NodeStatus.DomainLag(0, 11))), 7, Optional.empty(),
        Optional.of(new JournalPosition(3, 4096)),
        Optional.of(Instant.parse("2026-12-05T07:29:58Z")), Optional.empty());
    NodeStatus.Replica reconnecting = new NodeStatus.Replica("r2", ReplicaState.RECONNECTING, Optional.empty(),
        NodeStatus.Lag.NONE, 0, Optional.of("connection refused"), Optional.empty(), Optional.empty(),
        Optional.of(Instant.parse("2026-12-05T07:30:05Z")));
    return new NodeStatus(TIME, Optional.of(source), journal, List.of(streaming, reconnecting));
  }

  @Test
  void writesTheDocumentedKeysInTheirOrderWithTheirValueForms() {
    assertThat(StatusJson.of(full())).isEqualTo("{\"time\":\"2026-12-05T07:30:00.123456Z\","
        + "\"source\":{\"name\":\"primary\",\"kind\":\"postgresql\",\"state\":\"streaming\",\"position\":\"0/16B3748\","
        + "\"captured\":42,\"lastError\":\"said \\\"no\\\"\\n\",\"retainedWalBytes\":8192},"
        + "\"journal\":{\"dir\":\"/var/ferry/journal\",\"id\":\"0a1b2c3d-0000-4000-8000-000000000000\","
        + "\"lastGtid\":\"0-1-4711\",\"lastCommitTime\":\"2026-12-05T07:29:59.500Z\","
        + "\"newestByDomain\":[\"0-1-4711\"],\"consumers\":[{\"name\":\"http.east\",\"position\":\"2:0\"},"
        + "{\"name\":\"r1\",\"position\":\"3:4096\"}]},"
        + "\"replicas\":[{\"name\":\"r1\",\"state\":\"streaming\",\"appliedGtid\":\"0-1-4700\","
        + "\"lag\":{\"transactions\":11,\"bytes\":2048,\"seconds\":0.250,\"domains\":[{\"domain\":0,"
        + "\"transactions\":11}],\"catchUp\":null},\"applied\":7,\"lastError\":null,"
        + "\"position\":\"3:4096\",\"appliedCommitTime\":\"2026-12-05T07:29:58Z\",\"nextTry\":null,"
        + "\"appliedByDomain\":[\"0-1-4700\"],\"appliedSet\":\"\",\"workers\":null,\"progress\":null},"
        + "{\"name\":\"r2\",\"state\":\"reconnecting\",\"appliedGtid\":null,"
        + "\"lag\":{\"transactions\":0,\"bytes\":0,\"seconds\":0.000,\"domains\":[],\"catchUp\":null},\"applied\":0,"
        + "\"lastError\":\"connection refused\","
        + "\"position\":null,\"appliedCommitTime\":null,\"nextTry\":\"2026-12-05T07:30:05Z\","
        + "\"appliedByDomain\":[],\"appliedSet\":\"\",\"workers\":null,\"progress\":null}],\"links\":[],\"operations\":[]}");
  }

  @Test
  void writesAnAbsentSourceAndEmptyJournalAsNull() {
    NodeStatus applyOnly = new NodeStatus(TIME, Optional.empty(),
        new NodeStatus.Journal("j", "", Optional.empty(), Optional.empty()), List.of());
    assertThat(StatusJson.of(applyOnly)).isEqualTo("{\"time\":\"2026-12-05T07:30:00.123456Z\",\"source\":null,"
        + "\"journal\":{\"dir\":\"j\",\"id\":\"\",\"lastGtid\":null,\"lastCommitTime\":null,"
        + "\"newestByDomain\":[],\"consumers\":[]},\"replicas\":[],\"links\":[],\"operations\":[]}");
  }

  @Test
  void readsBackWhatItWrote() {
    NodeStatus status = full();
    assertThat(StatusJson.read(StatusJson.of(status), NodeStatus.class)).isEqualTo(status);
  }

  @Test
  void everyStateIsWrittenAsItsStatusTextAndReadBack() {
    for (ReplicaState state : ReplicaState.values()) {
      NodeStatus.Replica r = new NodeStatus.Replica("r", state, Optional.empty(), NodeStatus.Lag.NONE, 0,
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
      String json = StatusJson.write(r);
      String text = state.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
      assertThat(json).contains("\"state\":\"" + text + "\"");
      assertThat(StatusJson.read(json, NodeStatus.Replica.class)).isEqualTo(r);
    }
    assertThat(StatusJson.write(ReplicaState.NEVER_STARTED)).isEqualTo("\"never started\"");
    for (SourceState state : SourceState.values()) {
      assertThat(StatusJson.read(StatusJson.write(state), SourceState.class)).isEqualTo(state);
    }
  }

  @Test
  void readingIgnoresKeysAddedByANewerWriterAndRefusesAMalformedGtid() {
    String newer = StatusJson.of(full()).replace("\"captured\":42,", "\"captured\":42,\"futureKey\":[1,2],");
    assertThat(StatusJson.read(newer, NodeStatus.class)).isEqualTo(full());
    String broken = StatusJson.of(full()).replace("\"0-1-4711\"", "\"4711\"");
    assertThatThrownBy(() -> StatusJson.read(broken, NodeStatus.class)).isInstanceOf(RuntimeException.class);
  }

  @Test
  void aDocumentOfAnOlderWriterWithoutDomainsReadsBackWithThemDerivedFromTheNewestGtids() {
    String older = StatusJson.of(full()).replace(",\"newestByDomain\":[\"0-1-4711\"]", "")
        .replace(",\"appliedByDomain\":[\"0-1-4700\"]", "").replace(",\"appliedByDomain\":[]", "");
    assertThat(older).doesNotContain("ByDomain");
    NodeStatus read = StatusJson.read(older, NodeStatus.class);
    assertThat(read.journal().newestByDomain()).containsExactly(new Gtid(0, 1, 4711));
    assertThat(read.replicas().getFirst().appliedByDomain()).containsExactly(new Gtid(0, 1, 4700));
    assertThat(read.replicas().get(1).appliedByDomain()).isEmpty();
  }

  @Test
  void writesALinkWithItsStateAndPositionsAndReadsItBack() {
    LinkStatus link = new LinkStatus("/in", "directory", LinkState.REFUSED, Optional.of(new JournalPosition(4, 0)),
        Optional.of(new JournalPosition(3, 100)), Optional.of(4L), 3, 12_288, 2, Optional.of("refused segment 4"));
    NodeStatus s = new NodeStatus(TIME, Optional.empty(), new NodeStatus.Journal("j", "", Optional.empty(),
        Optional.empty()), List.of(), List.of(link));

    String json = StatusJson.of(s);

    assertThat(json).endsWith(",\"links\":[{\"name\":\"/in\",\"kind\":\"directory\",\"state\":\"refused\","
        + "\"received\":\"4:0\",\"applied\":\"3:100\",\"waitingFor\":4,\"segments\":3,"
        + "\"bytes\":12288,\"reconnects\":2,\"lastError\":\"refused segment 4\",\"sent\":null}],\"operations\":[]}");
    assertThat(StatusJson.read(json, NodeStatus.class)).isEqualTo(s);
  }

  @Test
  void aLinkOfAnOlderWriterWithoutBytesAndReconnectsReadsBackWithZeros() {
    LinkStatus link = new LinkStatus("/in", "directory", LinkState.WAITING, Optional.empty(), Optional.empty(),
        Optional.of(1L), 0, 0, 0, Optional.empty());
    String older = StatusJson.of(new NodeStatus(TIME, Optional.empty(), new NodeStatus.Journal("j", "",
        Optional.empty(), Optional.empty()), List.of(), List.of(link))).replace(",\"bytes\":0,\"reconnects\":0", "");
    assertThat(older).doesNotContain("bytes").doesNotContain("reconnects");

    NodeStatus read = StatusJson.read(older, NodeStatus.class);

    assertThat(read.links()).containsExactly(link);
  }

  @Test
  void refusesTextThatIsNoJson() {
    assertThatThrownBy(() -> StatusJson.read("{\"time\":", NodeStatus.class)).isInstanceOf(JacksonException.class);
  }
}
