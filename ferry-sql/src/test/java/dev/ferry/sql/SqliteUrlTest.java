package dev.ferry.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A SQLite URL's file, as the configuration and the target dialect both read it. */
class SqliteUrlTest {
  private static final Path HOME = Path.of("/srv/ferry");

  @Test
  void namesTheFileResolvedAgainstTheWorkingDirectoryWithoutItsParameters() {
    assertThat(SqliteUrl.file("jdbc:sqlite:/data/a.db", HOME)).contains(Path.of("/data/a.db"));
    assertThat(SqliteUrl.file("jdbc:sqlite:file:/data/./x/../a.db?mode=ro", HOME)).contains(Path.of("/data/a.db"));
    assertThat(SqliteUrl.file("jdbc:sqlite:replica.db", HOME)).contains(Path.of("/srv/ferry/replica.db"));
  }

  @Test
  void namesNoFileForAMemoryDatabaseOrAnotherDatabase() {
    assertThat(SqliteUrl.file("jdbc:sqlite::memory:", HOME)).isEmpty();
    assertThat(SqliteUrl.file("jdbc:sqlite:", HOME)).isEmpty();
    assertThat(SqliteUrl.file("jdbc:sqlite:file::memory:?cache=shared", HOME)).isEmpty();
    assertThat(SqliteUrl.file("jdbc:postgresql://h/db", HOME)).isEmpty();
    assertThat(SqliteUrl.file("jdbc:sqlite:a\0b.db", HOME)).isEmpty();
  }
}
