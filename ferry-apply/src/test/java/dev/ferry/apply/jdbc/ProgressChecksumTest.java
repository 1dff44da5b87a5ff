package dev.ferry.apply.jdbc;

import static dev.ferry.apply.jdbc.Txs.cols;
import static dev.ferry.apply.jdbc.Txs.insert;
import static dev.ferry.apply.jdbc.Txs.table;
import static dev.ferry.apply.jdbc.Txs.tx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.LastApplied;
import dev.ferry.journal.Column;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.TableId;
import dev.ferry.testkit.PostgresClusterExtension;
import dev.ferry.testkit.SqliteDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replication_control} keeps the last transaction's GTID and journal checksum with the
 * progress, on PostgreSQL and SQLite, and a table made before those columns gets them.
 */
@Timeout(120)
class ProgressChecksumTest {
  static final TableId ACCOUNTS = table("accounts");
  static final List<Column> COLS = cols("id:int8", "n:int8", "note:text");

  abstract static class Contract {
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
          applier.apply(t, t.nextPosition().toString());
        }
        applier.flush();
      }
      JournalTransaction last = txs.getLast();
      try (Applier applier = JdbcApplier.open(config(), target())) {
        assertThat(applier.lastApplied()).contains(new LastApplied(last.gtid(), OptionalLong.of(last.checksum())));
        assertThat(applier.position().journalPosition()).contains(last.nextPosition().toString());
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
        applier.apply(txs.getFirst(), txs.getFirst().nextPosition().toString());
        applier.flush();
        assertThat(applier.lastApplied())
            .contains(new LastApplied(txs.getFirst().gtid(), OptionalLong.of(txs.getFirst().checksum())));
      }
    }
  }

  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  @Nested
  class OnPostgres extends Contract {
    private String url;

    @BeforeEach
    void freshDatabase() throws Exception {
      url = postgres.cluster().createDatabase("checksums" + System.nanoTime());
    }

    @Override
    ConnectionSource target() {
      return () -> DriverManager.getConnection(url);
    }

    @Override
    List<String> oldProgressTable() {
      return List.of("CREATE SCHEMA ferry", """
          CREATE TABLE ferry.replication_control (source text PRIMARY KEY, applied_gtids text NOT NULL,
            journal_position text, schema_sequence bigint, last_commit_time timestamptz,
            updated_at timestamptz NOT NULL DEFAULT now())""",
          "INSERT INTO ferry.replication_control (source, applied_gtids) VALUES ('src-1', '')");
    }

    @Override
    String accountsDdl() {
      return "CREATE TABLE public.accounts (id int8 PRIMARY KEY, n int8, note text)";
    }
  }

  @Nested
  class OnSqlite extends Contract {
    private SqliteDatabase db;

    @BeforeEach
    void freshDatabase() throws Exception {
      db = SqliteDatabase.create();
    }

    @AfterEach
    void removeDatabase() throws Exception {
      db.close();
    }

    @Override
    ConnectionSource target() {
      return db::connect;
    }

    @Override
    List<String> oldProgressTable() {
      return List.of("""
          CREATE TABLE ferry_replication_control (source TEXT PRIMARY KEY, applied_gtids TEXT NOT NULL,
            journal_position TEXT, schema_sequence INTEGER, last_commit_time TEXT,
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))""",
          "INSERT INTO ferry_replication_control (source, applied_gtids) VALUES ('src-1', '')");
    }

    @Override
    String accountsDdl() {
      return "CREATE TABLE accounts (id INTEGER PRIMARY KEY, n INTEGER, note TEXT)";
    }
  }
}
