package dev.ferry.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Tag;
import dev.ferry.node.run.ReplicaControlFile;
import dev.ferry.testkit.SqliteDatabase;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.SharedSecret;
import dev.ferry.transport.push.LinkTiming;
import dev.ferry.transport.push.PushReceiver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry replica reinit} on a SQLite replica: refused (exit 1, naming the journal's lock)
 * while a process holds the journal, as a running node does (so a node's in-memory applied report
 * for a synchronous primary never outlives a reinit); once free, it forgets an until tag found in
 * the replica's old history and says so, and keeps a suspension with a warning.
 */
@Timeout(120)
class ReplicaReinitCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;
  private SqliteDatabase lite;
  private Path config;
  private Path journal;

  @BeforeEach
  void replica() throws Exception {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    lite = SqliteDatabase.create();
    journal = dir.resolve("journal");
    config = Files.writeString(dir.resolve("ferry.yaml"), "source:\n  name: primary\n  url: jdbc:postgresql://127.0.0.1:1/x\n"
        + "journal:\n  dir: " + journal + "\nreplicas:\n  - name: lite\n    url: " + lite.jdbcUrl() + "\n");
  }

  @AfterEach
  void restore() throws Exception {
    System.setOut(oldOut);
    System.setErr(oldErr);
    lite.close();
  }

  @Test
  void refusedWhileTheJournalIsHeldThenForgetsTheOldUntilTagAndWarnsOfASuspension() throws Exception {
    try (Journal held = Journal.open(JournalConfig.defaults(journal))) {
      assertThat(ferry("replica", "reinit", "lite", "-c", config.toString())).as(all()).isEqualTo(1);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("journal " + journal.toAbsolutePath())
          .contains("held by a running process").contains("journal.lock").doesNotContain("Exception");
    }
    ReplicaControlFile.write(journal, "lite", new ReplicaControlFile.Content(true,
        Optional.of(new ReplicaControlFile.Found(new Tag("month-end"), Gtid.parse("0-1-42")))));

    assertThat(ferry("replica", "reinit", "lite", "-c", config.toString())).as(all()).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("replica lite reset")
        .contains("forgot until tag:month-end found at 0-1-42 in its old history")
        .contains("warning: replica lite is still suspended").contains("'ferry resume lite'");
    assertThat(ReplicaControlFile.read(journal, "lite")).isEqualTo(new ReplicaControlFile.Content(true,
        Optional.empty()));

    ReplicaControlFile.setSuspended(journal, "lite", false);
    assertThat(ferry("replica", "reinit", "lite", "-c", config.toString())).as(all()).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("replica lite reset").doesNotContain("forgot")
        .doesNotContain("suspended");
  }

  /**
   * A replica node keeps its replicas' applied reports (sync level apply) in its push receiver,
   * which holds the copy's journal.lock as long as the node runs: reinit cannot happen beneath it.
   */
  @Test
  void refusedWhileAReplicaNodesPushReceiverHoldsTheCopy() throws Exception {
    Journal.open(JournalConfig.defaults(journal)).close(); // the copy, as a first push made it
    try (PushReceiver receiver = PushReceiver.start(JournalConfig.defaults(journal), new JournalFrom.Listen(
        "127.0.0.1", 0, new SharedSecret("correct horse battery staple"), Optional.empty(), LinkTiming.DEFAULT),
        Set.of("lite"))) {
      receiver.applied("lite", JournalPosition.startOf(1));
      assertThat(ferry("replica", "reinit", "lite", "-c", config.toString())).as(all()).isEqualTo(1);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("held by a running process").contains("stop it first");
    }
    assertThat(ferry("replica", "reinit", "lite", "-c", config.toString())).as(all()).isZero();
  }

  private int ferry(String... args) {
    out.reset();
    err.reset();
    return FerryMain.run(args);
  }

  private String all() {
    return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
  }
}
