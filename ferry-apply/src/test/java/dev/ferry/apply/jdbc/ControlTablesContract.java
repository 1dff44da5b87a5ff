package dev.ferry.apply.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.ConflictType;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.dialect.ControlTables;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.TableId;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
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

  @Test
  void listsConflictsByTableTypeTimeAndResolutionAndResolvesEachOnce() throws Exception {
    try (Connection c = target().connect()) {
      ControlTables.of(c).prepare(c);
      ConflictLog log = new ConflictLog(Dialect.of(c), "r1", "journal-1");
      Instant t0 = Instant.parse("2026-12-06T10:00:00Z");
      log.insert(c, conflict(t0, 1, ConflictType.UPDATE_MISSING, "public.a"));
      log.insert(c, conflict(t0.plusSeconds(60), 2, ConflictType.DELETE_MISSING, "public.a"));
      log.insert(c, conflict(t0.plusSeconds(120), 3, ConflictType.UPDATE_MISSING, "public.b"));
      new ConflictLog(Dialect.of(c), "r2", "journal-1").insert(c, conflict(t0, 4, ConflictType.INSERT_EXISTS, "public.a"));

      List<ConflictStore.Conflict> all = ConflictStore.list(c, filter(Optional.empty(), Optional.empty(),
          Optional.empty(), Optional.empty(), 100));
      assertThat(all).extracting(ConflictStore.Conflict::gtid).as("r1's, newest first")
          .containsExactly("0-1-3", "0-1-2", "0-1-1");
      assertThat(all).allSatisfy(x -> assertThat(x.resolved()).isFalse());
      assertThat(all.get(0).detectedAt()).contains(t0.plusSeconds(120));
      assertThat(gtids(c, filter(Optional.of("public.a"), Optional.empty(), Optional.empty(), Optional.empty(), 100)))
          .containsExactly("0-1-2", "0-1-1");
      assertThat(gtids(c, filter(Optional.empty(), Optional.of("update_missing"), Optional.empty(), Optional.empty(),
          100))).containsExactly("0-1-3", "0-1-1");
      assertThat(gtids(c, filter(Optional.empty(), Optional.empty(), Optional.of(t0.plusSeconds(60)), Optional.empty(),
          100))).as("since is inclusive").containsExactly("0-1-3", "0-1-2");
      assertThat(gtids(c, filter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 1)))
          .containsExactly("0-1-3");

      long id = all.get(1).id();
      ConflictStore.Resolution by = new ConflictStore.Resolution(Instant.parse("2026-12-06T11:00:00.123Z"), "alice",
          Optional.of("row put back by hand"));
      ConflictStore.Conflict resolved = ConflictStore.resolve(c, "r1", id, by).orElseThrow();
      assertThat(resolved.resolvedAt()).contains(by.at());
      assertThat(resolved.resolvedBy()).contains("alice");
      assertThat(resolved.resolutionNote()).contains("row put back by hand");
      assertThat(resolved.resolution()).as("what the applier did stays").isEqualTo(all.get(1).resolution());
      assertThatThrownBy(() -> ConflictStore.resolve(c, "r1", id, new ConflictStore.Resolution(Instant.now(), "bob",
          Optional.empty()))).isInstanceOf(ConflictStore.AlreadyResolvedException.class)
          .hasMessageContaining("by alice");
      assertThat(ConflictStore.get(c, "r1", id)).contains(resolved);
      assertThat(ConflictStore.resolve(c, "r2", id, by)).as("another replica's id space").isEmpty();
      assertThat(ConflictStore.resolve(c, "r1", 987_654, by)).isEmpty();
      assertThat(gtids(c, filter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(true), 100)))
          .containsExactly("0-1-2");
      assertThat(gtids(c, filter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(false), 100)))
          .containsExactly("0-1-3", "0-1-1");
    }
  }

  @Test
  void aTargetWithoutAConflictsTableHasNoConflictsAndNoneToResolve() throws Exception {
    try (Connection c = target().connect()) {
      assertThat(ConflictStore.list(c, filter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
          10))).isEmpty();
      assertThat(ConflictStore.get(c, "r1", 1)).isEmpty();
      assertThat(ConflictStore.resolve(c, "r1", 1, new ConflictStore.Resolution(Instant.now(), "alice",
          Optional.empty()))).isEmpty();
      assertThat(ControlTables.of(c).exists(c, ControlTables.CONFLICTS)).as("nothing created").isFalse();
    }
  }

  @Test
  void aConflictsTableFromBeforeResolutionsIsReadAndGetsItsColumnsWhenOneIsResolved() throws Exception {
    try (Connection c = target().connect()) {
      ControlTables tables = ControlTables.of(c);
      tables.prepare(c);
      for (String column : new String[] {"resolved_at", "resolved_by", "resolution_note"}) {
        execute(c, "ALTER TABLE " + tables.conflicts() + " DROP COLUMN " + column);
      }
      new ConflictLog(Dialect.of(c), "r1", "journal-1").insert(c, conflict(Instant.parse("2026-12-06T10:00:00Z"), 7,
          ConflictType.UPDATE_MISSING, "public.a"));
      ConflictStore.Conflict old = ConflictStore.list(c, filter(Optional.empty(), Optional.empty(), Optional.empty(),
          Optional.empty(), 10)).getFirst();
      assertThat(old.resolved()).isFalse();
      assertThat(gtids(c, filter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(true), 10))).isEmpty();
      assertThat(gtids(c, filter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(false), 10)))
          .containsExactly("0-1-7");
      ConflictStore.Conflict resolved = ConflictStore.resolve(c, "r1", old.id(), new ConflictStore.Resolution(
          Instant.parse("2026-12-06T11:00:00Z"), "alice", Optional.empty())).orElseThrow();
      assertThat(resolved.resolvedBy()).contains("alice");
      tables.prepare(c);
      execute(c, "SELECT resolved_at, resolved_by, resolution_note FROM " + tables.conflicts());
    }
  }

  private static ConflictRecord conflict(Instant at, long seq, ConflictType type, String table) {
    return new ConflictRecord(at, new Gtid(0, 1, seq), type, TableId.parse(table), "(id=" + seq + ")",
        Optional.empty(), "(id=" + seq + ", v=1)", "overwritten");
  }

  private static ConflictStore.Filter filter(Optional<String> table, Optional<String> type, Optional<Instant> since,
      Optional<Boolean> resolved, int limit) {
    return new ConflictStore.Filter("r1", table, type, since, resolved, limit);
  }

  private static List<String> gtids(Connection c, ConflictStore.Filter filter) throws SQLException {
    return ConflictStore.list(c, filter).stream().map(ConflictStore.Conflict::gtid).toList();
  }
}
