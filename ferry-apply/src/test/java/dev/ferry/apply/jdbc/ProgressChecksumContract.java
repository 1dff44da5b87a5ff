package dev.ferry.apply.jdbc;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.LastApplied;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every target must do: {@code replication_control} keeps the last transaction's GTID and journal checksum with the
 * progress, on PostgreSQL and SQLite, and a table made before those columns gets them.
 */
@Timeout(120)
abstract class ProgressChecksumContract {
  static final TableId ACCOUNTS = table("accounts");
  static final List<Column> COLS = cols("id:int8", "n:int8", "note:text");

  @TempDir Path journalDir;

  abstract ConnectionSource target();

  /** SQL that makes the progress table as Ferry made it before the checksum columns, with one row. */
  abstract List<String> oldProgressTable();

  abstract String accountsDdl();

  private void exec(List<String> sql) throws Exception {
    try (Connection c = target().connect(); Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  private List<JournalTransaction> journalOfThree() throws Exception {
    try (Journal journal = Journal.open(JournalConfig.defaults(journalDir))) {
      for (long seq = 1; seq <= 3; seq++) {
        journal.append(tx(seq, insert(ACCOUNTS, COLS, seq, seq * 10, "row " + seq))).join();
      }
    }
    List<JournalTransaction> read = new ArrayList<>();
    try (JournalReader reader = JournalReader.openAtOldest(journalDir)) {
      Optional<JournalTransaction> next;
      while ((next = reader.next(Duration.ZERO)).isPresent()) {
        read.add(next.get());
      }
    }
    return read;
  }

  private static ApplyConfig config() {
    return ApplyConfig.defaults("r1", "src-1");
  }

  @Test
  void keepsTheLastTransactionsGtidAndJournalChecksumWithTheProgress() throws Exception {
    exec(List.of(accountsDdl()));
    List<JournalTransaction> txs = journalOfThree();
    try (Applier applier = JdbcApplier.open(config(), target())) {
      assertThat(applier.lastApplied()).isEmpty();
      for (JournalTransaction t : txs) {
        applier.apply(t, t.nextPosition());
      }
      applier.flush();
    }
    JournalTransaction last = txs.getLast();
    try (Applier applier = JdbcApplier.open(config(), target())) {
      assertThat(applier.lastApplied()).contains(new LastApplied(last.gtid(), OptionalLong.of(last.checksum())));
      assertThat(applier.position().journalPosition()).contains(last.nextPosition());
    }
  }

  @Test
  void addsTheChecksumColumnsToAProgressTableMadeBeforeThem() throws Exception {
    exec(oldProgressTable());
    exec(List.of(accountsDdl()));
    List<JournalTransaction> txs = journalOfThree();
    try (Applier applier = JdbcApplier.open(config(), target())) {
      assertThat(applier.position().applied().toString()).isEmpty();
      assertThat(applier.lastApplied()).isEmpty();
      applier.apply(txs.getFirst(), txs.getFirst().nextPosition());
      applier.flush();
      assertThat(applier.lastApplied())
          .contains(new LastApplied(txs.getFirst().gtid(), OptionalLong.of(txs.getFirst().checksum())));
    }
  }
}
