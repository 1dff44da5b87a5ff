package dev.ferry.node.cli;

import dev.ferry.capture.trigger.SqliteSetup;
import dev.ferry.capture.trigger.SqliteSourceConfig;
import dev.ferry.journal.Journal;
import dev.ferry.journal.model.TableId;
import dev.ferry.node.config.FerryConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code ferry table add} and {@code ferry table resync} check before they touch anything
 * when the source is SQLite: each table exists in {@code main} and can be captured by triggers
 * (not a virtual table), {@code source.tables} selects it (add), it is captured already (resync),
 * and capture runs (the snapshot needs it).
 * Stateless.
 */
final class SqliteTableCheck {
  private SqliteTableCheck() {
  }

  /**
   * Checks the tables; returns whether their capture triggers are to be installed (an add).
   *
   * @throws CliException naming the table and what to do; nothing is changed then
   */
  static boolean check(boolean add, FerryConfig config, SqliteSourceConfig source, List<TableId> tables, Path journal,
      PrintWriter out) throws IOException {
    if (!Journal.inUse(journal.toAbsolutePath())) {
      throw new CliException("capture of source " + source.name() + " is not running (no 'ferry run' or 'ferry "
          + "capture' holds journal " + journal.toAbsolutePath() + "), and a copy from a SQLite source needs it: the "
          + "snapshot waits until capture has journaled the change table up to it. Start it, then run this again");
    }
    if (add) {
      TableCommand.requireSelected(config, tables, "the next 'ferry run' would stop capturing them at the next "
          + "schema change");
    }
    for (TableId t : tables) {
      boolean captured = SqliteSetup.checkAddable(source, t);
      if (add && captured) {
        out.println("table " + t + " is captured already (its triggers exist): copying it again");
      } else if (!add && !captured) {
        throw new CliException("table " + t + " is not captured (it has no capture triggers in " + source.jdbcUrl()
            + "), so it is not replicated: add it with 'ferry table add " + t + "'");
      }
    }
    return add;
  }
}
