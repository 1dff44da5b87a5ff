package dev.ferry.node.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.ReplicaPosition;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-over of a MariaDB seed at a GTID position of several domains: what the snapshot holds in
 * each domain is counted as applied, streaming starts right after its last transaction, and the
 * journal is proven to hold the snapshot only once every domain of the position is reached.
 */
@Timeout(60)
class HandOverTest {
  private static final Map<Long, Gtid> SNAPSHOT = position("0-1-6", "2-1-1000");

  @TempDir Path dir;

  @Test
  void countsTheSnapshotOfEveryDomainAsAppliedAndStreamsFromTheTransactionAfterIt() throws Exception {
    write("0-1-5", "2-1-1000", "0-1-6", "2-1-1001", "0-1-7");
    ReplicaPosition position = find(Duration.ofSeconds(30));
    assertThat(position.applied().toString()).isEqualTo("0:6,2:1000");
    try (JournalReader reader = JournalReader.openAt(dir, position.journalPosition().orElseThrow())) {
      assertThat(reader.next(Duration.ofSeconds(5)).orElseThrow().gtid()).isEqualTo(Gtid.parse("2-1-1001"));
    }
  }

  @Test
  void isProvenByTheLastTransactionOfEveryDomainWithNothingAfterIt() throws Exception {
    write("2-1-1000", "0-1-5", "0-1-6");
    assertThat(find(Duration.ofSeconds(30)).applied().toString()).isEqualTo("0:6,2:1000");
  }

  @Test
  void waitsWhileADomainOfThePositionIsNotReached() throws Exception {
    write("0-1-5", "2-1-1000");
    assertThatThrownBy(() -> find(Duration.ofSeconds(2))).isInstanceOf(IOException.class)
        .hasMessageContaining("MariaDB GTID position 0-1-6,2-1-1000");
  }

  @Test
  void aNewDomainAfterTheSnapshotProvesIt() throws Exception {
    write("0-1-5", "0-1-6", "3-1-1");
    assertThat(find(Duration.ofSeconds(30)).applied().toString()).isEqualTo("0:6");
  }

  private ReplicaPosition find(Duration wait) throws Exception {
    return HandOver.find(dir, JournalInspector.journalId(dir).toString(),
        new HandOver.SourceGtid(SourcePosition.binlog("binlog.000001", 350), SNAPSHOT, () -> false), wait,
        "[replica r] ");
  }

  private void write(String... gtids) throws Exception {
    try (Journal journal = Journal.open(JournalConfig.defaults(dir))) {
      long offset = 100;
      for (String text : gtids) {
        Gtid gtid = Gtid.parse(text);
        journal.append(new Transaction(gtid, Instant.parse("2026-12-06T00:00:00Z"), 0,
            SourcePosition.binlog("binlog.000001", offset).withSourceGtid(gtid),
            List.of(new Change.Message("test", true, new byte[0])))).get();
        offset += 100;
      }
    }
  }

  private static Map<Long, Gtid> position(String... gtids) {
    Map<Long, Gtid> out = new TreeMap<>();
    for (String text : gtids) {
      Gtid g = Gtid.parse(text);
      out.put(g.domain(), g);
    }
    return out;
  }
}
