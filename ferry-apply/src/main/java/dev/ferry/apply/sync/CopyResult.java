package dev.ferry.apply.sync;

import dev.ferry.journal.model.TableId;
import java.time.Duration;
import java.util.Map;

/**
 * What a copy did. Immutable.
 *
 * @param rowsByTable rows copied per table
 * @param elapsed wall time of the copy (table creation and truncation included)
 */
public record CopyResult(Map<TableId, Long> rowsByTable, Duration elapsed) {
  public CopyResult {
    rowsByTable = Map.copyOf(rowsByTable);
  }

  public long rows() {
    return rowsByTable.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Rows per second over the whole copy. */
  public double rowsPerSecond() {
    double s = elapsed.toNanos() / 1e9;
    return s <= 0 ? 0 : rows() / s;
  }
}
