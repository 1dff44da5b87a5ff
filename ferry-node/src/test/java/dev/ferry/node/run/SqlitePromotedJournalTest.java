package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.dialect.DatabaseIdentity;
import dev.ferry.capture.binlog.MariaDbSourceConfig;
import dev.ferry.capture.trigger.SqliteSourceConfig;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.model.Gtid;
import dev.ferry.testkit.SqliteDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry promote --capture} of a replica whose database is a SQLite file, and the checks the
 * node makes before that file continues the journal as its source (docs/failover.md): the
 * continuation installs Ferry's triggers and change table and numbers DDL above the journal's;
 * another kind of URL, a MariaDB source, the old primary's server id and another file are refused
 * by name. Real SQLite files.
 */
class SqlitePromotedJournalTest {
  private static final Gtid BRANCH = new Gtid(0, 1, 57);

  @TempDir Path dir;

  @Test
  void theContinuationInstallsCaptureOnThePromotedFileAndNumbersDdlAboveTheJournals() throws Exception {
    try (SqliteDatabase b = SqliteDatabase.create(); Connection c = b.connect(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT)");
      SourceSpec.Continuation there = source("jdbc:sqlite:/old/primary.db", 1).continuedAt(b.jdbcUrl(),
          Optional.empty()).orElseThrow(IllegalStateException::new);
      assertThat(there.slot()).isEqualTo("_ferry_changes");
      assertThat(there.source().jdbcUrl()).isEqualTo(b.jdbcUrl());
      assertThat(there.source().setUp().tables()).extracting(t -> t.name()).containsExactly("items");
      assertThat(there.ddlNumbering().above(4)).isEqualTo(5);
      st.execute("INSERT INTO items VALUES (1, 'after promotion')");
      try (var rs = st.executeQuery("SELECT count(*) FROM _ferry_changes WHERE tbl = 'items'")) {
        rs.next();
        assertThat(rs.getInt(1)).as("the triggers record writes from now on").isEqualTo(1);
      }
    }
  }

  @Test
  void anotherKindOfUrlOrAMariaDbSourceIsRefusedByName() {
    assertThat(source("jdbc:sqlite:/a.db", 1).continuedAt("jdbc:postgresql://h/b", Optional.empty()).lacking())
        .contains("no SQLite URL (jdbc:sqlite:…)");
    SourceSpec mariaDb = new SourceSpec.MariaDb(MariaDbSourceConfig.of("primary", "jdbc:mariadb://h:3306/a"));
    assertThat(mariaDb.continuedAt("jdbc:mariadb://h:3306/b", Optional.empty()).lacking())
        .contains("PostgreSQL or SQLite source").contains("source primary is MariaDB")
        .contains("promote without --capture");
  }

  @Test
  void continuesWithItsOwnServerIdOnThePromotedFileOnly() throws Exception {
    try (SqliteDatabase b = SqliteDatabase.create(); SqliteDatabase other = SqliteDatabase.create()) {
      b.connect().close();
      other.connect().close();
      String key = DatabaseIdentity.ofUrl(b.jdbcUrl(), new Properties()).orElseThrow().key();
      new PromotionRecord("341ccba6-0000-0000-0000-000000000000", PromotionRecord.STARTED, Instant.now(),
          Optional.of(BRANCH), Map.of("lite", "0:57"), List.of(), Map.of(),
          Optional.of(new PromotionRecord.Capture("lite", "_ferry_changes", key, "SQLite file b"))).finished().write(dir);
      assertThat(PromotedJournal.check(node(b.jdbcUrl(), 2))).get().extracting(p -> p.branchPoint().orElseThrow())
          .isEqualTo(BRANCH);
      assertThatThrownBy(() -> PromotedJournal.check(node(b.jdbcUrl(), 1)))
          .hasMessageContaining("source.gtid.server-id is 1, the old primary's (branch point 0-1-57");
      assertThatThrownBy(() -> PromotedJournal.check(node(other.jdbcUrl(), 2)))
          .hasMessageContaining("source.url reaches").hasMessageContaining("point source.url at the promoted database");
    }
  }

  private static SourceSpec source(String url, long serverId) {
    return new SourceSpec.Sqlite(SqliteSourceConfig.of("primary", url).withGtid(0, serverId));
  }

  private NodeSpec node(String url, long serverId) {
    return new NodeSpec(source(url, serverId), JournalConfig.defaults(dir), List.of());
  }
}
