package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.SegmentState;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.testkit.SqliteDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code journal.archive} from the file to the disk: the node starts ferry-transport's archiver next
 * to the journal, which keeps every sealed segment until it is archived.
 */
@Timeout(120)
class ArchiveWiringTest {
  @TempDir Path dir;

  @Test
  void aNodeArchivesEverySealedSegmentOfItsJournal() throws Exception {
    try (SqliteDatabase source = SqliteDatabase.create()) {
      Path journalDir = dir.resolve("journal");
      Path archive = dir.resolve("archive");
      FerryConfig config = FerryConfig.parse("""
          source:
            name: lite
            url: %s
            poll-interval: 20ms
          journal:
            dir: %s
            segment-size: 4KiB
            archive:
              dir: %s
          """.formatted(source.jdbcUrl(), journalDir, archive), dir.resolve("ferry.yaml"), Map.of());
      try (Connection app = source.connect(); Statement st = app.createStatement()) {
        st.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
      }
      NodeSpec spec = new NodeSpec(config.source().capture(), config.journal(), config.archive(), List.of());
      try (FerryNode node = FerryNode.start(spec, FerryNode.Role.CAPTURE, List.of());
          Connection app = source.connect(); Statement st = app.createStatement()) {
        assertThat(node.awaitCaptureStreaming(Duration.ofSeconds(30))).isTrue();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int id = 0;
        while (count(journalDir, SegmentState.ARCHIVED) < 3 || count(journalDir, SegmentState.SEALED) > 0) {
          assertThat(System.nanoTime()).as("archived: %s", JournalInspector.list(journalDir)).isLessThan(deadline);
          // Writes until three segments are sealed, however many rows a poll gathers into one
          // transaction (and however well they compress): a busy machine makes fewer, larger ones.
          if (count(journalDir, SegmentState.ARCHIVED) + count(journalDir, SegmentState.SEALED) < 3) {
            for (int i = 0; i < 20; i++) {
              id++;
              st.execute("INSERT INTO items VALUES (" + id + ", '" + "x".repeat(100) + "')");
            }
          }
          Thread.sleep(20);
        }
      }
      for (SegmentInfo s : JournalInspector.list(journalDir)) {
        if (s.state() == SegmentState.ARCHIVED) {
          assertThat(Files.mismatch(s.path(), archive.resolve(s.path().getFileName()))).isEqualTo(-1);
        }
      }
    }
  }

  private static long count(Path journalDir, SegmentState state) throws java.io.IOException {
    return JournalInspector.list(journalDir).stream().filter(s -> s.state() == state).count();
  }
}
