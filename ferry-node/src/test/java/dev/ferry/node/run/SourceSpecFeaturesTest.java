package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.capture.trigger.SqliteSourceConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What each source kind answers when a command asks for a feature only some kinds have. */
@Timeout(30)
class SourceSpecFeaturesTest {
  @TempDir Path dir;

  private SourceSpec postgres() {
    return new SourceSpec.Postgres(PostgresSourceConfig.of("primary", "jdbc:postgresql://127.0.0.1:1/app?user=u"));
  }

  private SourceSpec sqlite() {
    return new SourceSpec.Sqlite(SqliteSourceConfig.of("primary", "jdbc:sqlite:" + dir.resolve("app.db")));
  }

  @Test
  void postgresqlOffersTableCopiesAndExports() {
    assertThat(postgres().tableCopies("ferry table add").part()).isPresent();
    assertThat(postgres().tableCopies("ferry table add").part().get().capturedBy())
        .isEqualTo("publication " + ((SourceSpec.Postgres) postgres()).config().publicationName());
    assertThat(postgres().exports().part()).isPresent();
  }

  @Test
  void sqliteOffersTableCopiesButLacksExportsAndSaysWhatToDoInstead() {
    assertThat(sqlite().tableCopies("ferry table resync").part()).isPresent();
    assertThat(sqlite().exports().part()).isEmpty();
    assertThat(sqlite().exports().lacking()).isEqualTo("source primary is SQLite: an export archive needs a "
        + "PostgreSQL source (a SQLite source's tables reach replicas through the journal)");
  }

  @Test
  void thePasswordRidesInAPostgresqlUrlAndASqliteSourceIgnoresIt() {
    assertThat(postgres().withPassword("p&w d").jdbcUrl())
        .isEqualTo("jdbc:postgresql://127.0.0.1:1/app?user=u&password=p%26w+d");
    SourceSpec lite = sqlite();
    assertThat(lite.withPassword("secret")).isSameAs(lite);
  }

  @Test
  void aSqliteSourceKeepsNoLogForFerryAndAnUnreachablePostgresqlOneIsUnknown() {
    assertThat(sqlite().retainedLogBytes()).isEmpty();
    assertThat(postgres().retainedLogBytes()).isEmpty();
  }

  @Test
  void aFeatureTheSourceLacksNeedsItsReason() {
    assertThatThrownBy(() -> SourceFeature.lacking(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
