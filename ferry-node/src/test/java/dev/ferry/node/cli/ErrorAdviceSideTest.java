package dev.ferry.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.ApplyException;
import dev.ferry.apply.sync.SyncException;
import dev.ferry.capture.CaptureException;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.SideException;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * The setting the advice names comes from the {@link Side} the exceptions carry, never from their
 * message text: a message may mention another side in its body (or carry a prefix by hand) without
 * moving the advice.
 */
class ErrorAdviceSideTest {
  private static final SQLException WRONG_PASSWORD =
      new SQLException("password authentication failed for user \"app\"", "28P01");
  private static final SQLException NO_DATABASE = new SQLException("database \"nosuch\" does not exist", "3D000");

  @Test
  void aSourceFailureThatMentionsAReplicaInItsBodyIsAdvisedOnTheSource() {
    CaptureException e = new CaptureException("primary",
        "cannot start: [replica r1] was mentioned by the operator's own text", WRONG_PASSWORD);

    assertThat(e.getMessage()).startsWith("[source primary] cannot start: [replica r1]");
    assertThat(ErrorAdvice.advice(e)).hasValue("check the user and password in source.url (or its password key)");
  }

  @Test
  void aReplicaFailureThatMentionsTheSourceFirstIsAdvisedOnTheReplica() {
    ApplyException e = new ApplyException(Side.replica("r1"), "copying from [source primary] failed", null,
        NO_DATABASE);

    assertThat(ErrorAdvice.advice(e)).hasValue(
        "create that database on the server (createdb), or fix the database name in the url of replica r1");
  }

  @Test
  void aPrefixWrittenByHandIntoThePlainMessageMovesNothing() {
    IOException e = new IOException("[replica r1] cannot connect", NO_DATABASE);

    assertThat(ErrorAdvice.advice(e)).hasValue(
        "create that database on the server (createdb), or fix the database name in the url in the configuration");
  }

  @Test
  void anArchiveOrJournalSideNamesNoUrlSoItsCauseIsAsked() {
    SyncException fromSource = new SyncException(Side.archive(Path.of("/backup/x")), "cannot read source primary",
        new CaptureException("primary", "cannot connect", WRONG_PASSWORD));
    SideException noSide = new SideException(Side.journal(Path.of("/var/lib/ferry")), "cannot open", WRONG_PASSWORD);

    assertThat(ErrorAdvice.where(fromSource)).isEqualTo("source.url");
    assertThat(ErrorAdvice.where(noSide)).isEqualTo("the url in the configuration");
  }

  @Test
  void theOutermostSourceOrReplicaSideWins() {
    SyncException e = new SyncException(Side.replica("r2"), "initial sync failed",
        new CaptureException("primary", "snapshot failed", WRONG_PASSWORD));

    assertThat(ErrorAdvice.where(e)).isEqualTo("the url of replica r2");
  }
}
