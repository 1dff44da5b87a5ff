package dev.ferry.journal.snapshot;

import dev.ferry.journal.model.TableId;
import java.sql.SQLException;

/** The source has no table of that name (dropped or renamed since it was chosen). */
public class NoSuchTableException extends SQLException {
  private final transient TableId table;

  public NoSuchTableException(String message, TableId table) {
    super(message);
    this.table = table;
  }

  /** The table that was asked for. */
  public TableId table() {
    return table;
  }
}
