package dev.ferry.apply.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.dialect.ControlTables;
import dev.ferry.journal.model.JournalPosition;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What {@link ControlTables} promises on every target; one subclass per database. */
@Timeout(60)
abstract class ControlTablesContract {
  abstract ConnectionSource target();

  /** The progress table's name as earlier Ferry versions created it (names must not change). */
  abstract String expectedProgressTable();

  /** SQL for the timestamp 2026-01-02T03:04:05Z as the progress table stores it. */
  abstract String timeLiteral();

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  @Test
  void preparesProgressAndConflictsUnderTheNamesEarlierVersionsUsed() throws Exception {
    try (Connection c = target().connect()) {
      ControlTables tables = ControlTables.of(c);
      assertThat(tables.progress()).isEqualTo(expectedProgressTable());
      assertThat(tables.exists(c, ControlTables.PROGRESS)).isFalse();
      tables.prepare(c);
      tables.prepare(c);
      assertThat(tables.exists(c, ControlTables.PROGRESS)).isTrue();
      assertThat(tables.exists(c, ControlTables.CONFLICTS)).isTrue();
      assertThat(tables.exists(c, ControlTables.ARCHIVE_LOADS)).as("made by the first load only").isFalse();
      execute(c, "SELECT source, applied_gtids, journal_position, schema_sequence, last_commit_time, last_gtid,"
          + " last_checksum FROM " + expectedProgressTable());
    }
  }

  @Test
  void readsTheProgressRowOfOneSource() throws Exception {
    try (Connection c = target().connect()) {
      ControlTables tables = ControlTables.of(c);
      tables.prepare(c);
      assertThat(tables.readProgress(c, "journal-1")).isEmpty();
      execute(c, "INSERT INTO " + tables.progress() + " (source, applied_gtids, journal_position, last_commit_time)"
          + " VALUES ('journal-1', '0-1-5', '3:100', " + timeLiteral() + ")");
      execute(c, "INSERT INTO " + tables.progress() + " (source, applied_gtids) VALUES ('journal-2', '')");
      assertThat(tables.readProgress(c, "journal-1")).contains(new ControlTables.Progress("0-1-5",
          Optional.of(new JournalPosition(3, 100)), Optional.of(Instant.parse("2026-01-02T03:04:05Z"))));
      assertThat(tables.readProgress(c, "journal-2"))
          .contains(new ControlTables.Progress("", Optional.empty(), Optional.empty()));
    }
  }

  @Test
  void readingTheProgressOfANeverStartedReplicaFailsNamingTheTable() throws Exception {
    try (Connection c = target().connect()) {
      ControlTables tables = ControlTables.of(c);
      assertThatThrownBy(() -> tables.readProgress(c, "journal-1")).isInstanceOf(SQLException.class)
          .hasMessageContaining(ControlTables.PROGRESS);
    }
  }

  @Test
  void dropRemovesEveryControlTable() throws Exception {
    try (Connection c = target().connect()) {
      ControlTables tables = ControlTables.of(c);
      tables.prepare(c);
      tables.createArchiveLoads(c);
      tables.createArchiveLoads(c);
      assertThat(tables.exists(c, ControlTables.ARCHIVE_LOADS)).isTrue();
      tables.drop(c);
      for (String table : new String[] {ControlTables.PROGRESS, ControlTables.CONFLICTS, ControlTables.ARCHIVE_LOADS}) {
        assertThat(tables.exists(c, table)).as(table).isFalse();
      }
      tables.prepare(c);
      assertThat(tables.exists(c, ControlTables.PROGRESS)).as("prepared again after a teardown").isTrue();
    }
  }
}
