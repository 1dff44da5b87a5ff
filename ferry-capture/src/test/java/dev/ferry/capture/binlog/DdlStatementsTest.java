package dev.ferry.capture.binlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.TableFilter;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MariaDB DDL from the binlog: a comment in front of a statement does not hide it. */
class DdlStatementsTest {
  private final BinlogCatalog catalog = new BinlogCatalog("shop", "shop", TableFilter.ALL);

  @ParameterizedTest
  @ValueSource(strings = {
      "ALTER TABLE items ADD COLUMN note TEXT",
      "/* migration 42 */ ALTER TABLE items ADD COLUMN note TEXT",
      "  -- why\n/* and how */\n  ALTER TABLE items ADD COLUMN note TEXT",
      "# from a tool\nALTER TABLE items ADD COLUMN note TEXT"})
  void aDdlStatementIsCapturedWhateverCommentsComeBeforeIt(String sql) {
    Optional<Change> change = DdlStatements.change(sql, "shop", catalog, () -> 2);
    assertThat(change).get().isInstanceOf(Change.Ddl.class);
    assertThat(((Change.Ddl) change.get()).command()).as("the text kept as the server logged it").isEqualTo(sql);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/*!40101 SET NAMES utf8mb4 */", "/* just a comment */", "SELECT 1"})
  void otherStatementsAddNothing(String sql) {
    assertThat(DdlStatements.change(sql, "shop", catalog, () -> 2)).isEmpty();
  }
}
