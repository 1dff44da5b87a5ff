package dev.ferry.capture.postgres;

import static dev.ferry.capture.postgres.PgTest.exec;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.capture.MemorySink;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.PostgresCluster;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A table created after setup that the include regexes select is not captured by itself: capture
 * warns about it at the CREATE TABLE, and once setup runs again (while capture streams) its rows
 * are captured.
 */
@Timeout(120)
class PostgresNewTableTest {
  @Test
  void tableCreatedAfterSetupIsWarnedAboutAndCapturedOnceSetupRunsAgain() throws Exception {
    Logger log = (Logger) LoggerFactory.getLogger(Catalog.class);
    ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    warnings.start();
    log.addAppender(warnings);
    try (PostgresCluster cluster = PostgresCluster.start()) {
      PostgresSourceConfig config = PgTest.freshSource(cluster, "newtable");
      exec(config, "CREATE TABLE old (id int PRIMARY KEY)");
      PostgresSetup.setup(config);
      try (Capturing c = Capturing.start(config, new MemorySink())) {
        exec(config, "CREATE TABLE later (id int PRIMARY KEY)", "INSERT INTO later VALUES (1)",
            "INSERT INTO old VALUES (1)");
        c.awaitTransactions(2);
        assertThat(warnings.list).extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
            .contains("table public.later matches include").contains("ferry setup");
        assertThat(PostgresSetup.setup(config).tables()).contains(new TableId("public", "later"));
        exec(config, "INSERT INTO later VALUES (2)");
        List<Transaction> txs = c.awaitTransactions(3);
        assertThat(txs.get(0).changes()).singleElement().isInstanceOf(Change.Ddl.class);
        assertThat(txs.get(1).changes()).singleElement().isInstanceOf(Change.Insert.class)
            .extracting(ch -> ((Change.Insert) ch).table().name()).isEqualTo("old");
        assertThat(txs.get(2).changes()).singleElement().isInstanceOf(Change.Insert.class)
            .extracting(ch -> ((Change.Insert) ch).table().name()).isEqualTo("later");
      }
    } finally {
      log.detachAppender(warnings);
    }
  }
}
