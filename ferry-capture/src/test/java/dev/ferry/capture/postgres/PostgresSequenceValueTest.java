package dev.ferry.capture.postgres;

import static dev.ferry.capture.postgres.PgTest.exec;
import static dev.ferry.capture.postgres.PgTest.tx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.capture.MemorySink;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.PostgresClusterExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A transaction's {@link Change.SequenceAdvance} is at or beyond every value it wrote into the
 * sequence's owning column, even when capture reads the sequence only after a later
 * {@code TRUNCATE … RESTART IDENTITY} reset it (capture down or behind while the source went on).
 */
@Timeout(120)
class PostgresSequenceValueTest {
  private static final TableId EVENTS_SEQ = new TableId("public", "events_id_seq");
  private static final TableId DOWN_SEQ = new TableId("public", "down_seq");

  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  @Test
  void sequenceValueIsAtLeastTheIdsItsTransactionWroteWhenALaterRestartIdentityResetItBeforeCaptureRead()
      throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "restart");
    exec(config, "CREATE TABLE events (id serial PRIMARY KEY, v text)");
    PostgresSetup.setup(config);
    // All three commit before capture reads anything: the sequence is back at 1 when it does.
    exec(config, "INSERT INTO events (v) SELECT 'x' FROM generate_series(1, 100)",
        "TRUNCATE events RESTART IDENTITY", "INSERT INTO events (v) VALUES ('after')");
    try (Capturing capturing = Capturing.start(config, new MemorySink())) {
      List<Transaction> txs = capturing.awaitTransactions(3);
      assertThat(advance(txs.get(0), EVENTS_SEQ)).as("after ids 1..100").isGreaterThanOrEqualTo(100);
      assertThat(advance(txs.get(2), EVENTS_SEQ)).as("after the restart and id 1").isEqualTo(1);
    }
  }

  @Test
  void aRestartInsideTheTransactionDropsTheIdsWrittenBeforeIt() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "inside");
    exec(config, "CREATE TABLE events (id serial PRIMARY KEY, v text)");
    PostgresSetup.setup(config);
    try (Capturing capturing = Capturing.start(config, new MemorySink())) {
      tx(config, "INSERT INTO events (v) SELECT 'x' FROM generate_series(1, 50)", "TRUNCATE events RESTART IDENTITY",
          "INSERT INTO events (v) VALUES ('a'), ('b')");
      Transaction t = capturing.awaitTransactions(1).getFirst();
      assertThat(advance(t, EVENTS_SEQ)).isEqualTo(2);
    }
  }

  @Test
  void aDescendingSequenceIsAtOrBelowTheIdsItsTransactionWrote() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "down");
    exec(config, "CREATE SEQUENCE down_seq INCREMENT BY -1 MINVALUE -1000000 MAXVALUE -1 START -1",
        "CREATE TABLE down (id int PRIMARY KEY DEFAULT nextval('down_seq'), v text)",
        "ALTER SEQUENCE down_seq OWNED BY down.id");
    PostgresSetup.setup(config);
    exec(config, "INSERT INTO down (v) SELECT 'x' FROM generate_series(1, 30)", "TRUNCATE down RESTART IDENTITY",
        "INSERT INTO down (v) VALUES ('after')");
    try (Capturing capturing = Capturing.start(config, new MemorySink())) {
      List<Transaction> txs = capturing.awaitTransactions(3);
      assertThat(advance(txs.get(0), DOWN_SEQ)).isLessThanOrEqualTo(-30);
      assertThat(advance(txs.get(2), DOWN_SEQ)).isEqualTo(-1);
    }
  }

  private static long advance(Transaction tx, TableId sequence) {
    return tx.changes().stream().filter(c -> c instanceof Change.SequenceAdvance s && s.sequence().equals(sequence))
        .map(c -> ((Change.SequenceAdvance) c).value()).findFirst()
        .orElseThrow(() -> new AssertionError("no advance of " + sequence + " in " + tx.gtid()));
  }
}
