package dev.ferry.capture.trigger;

import dev.ferry.journal.model.Side;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leaves out the change rows of transactions Ferry's apply wrote to this database. Ferry's SQLite
 * apply writes a row {@value #BEGIN} into {@code _ferry_changes} at the start of each target
 * transaction and {@value #END} at its end (before its progress row); SQLite has one writer, so
 * the change rows between the two are that transaction's own, and both marks commit or roll back
 * with it. Unless {@code forward}, those rows are dropped, so a database that is both a Ferry
 * target and a captured source sends nothing back (docs/failover.md#loops); the marks themselves
 * are never journaled (a poll that read only those journals an empty transaction, so the
 * journal's position still reaches the change table's end). Not thread-safe: one reader of the
 * change table.
 */
final class AppliedSpans {
  static final String BEGIN = "B";
  static final String END = "E";
  private static final Logger log = LoggerFactory.getLogger(AppliedSpans.class);

  private final Side side;
  private final boolean forward;
  private boolean inside;
  private boolean told;

  AppliedSpans(Side side, boolean forward) {
    this.side = side;
    this.forward = forward;
  }

  /**
   * Starts a read of the change table after the last row read: a committed span is read whole, so
   * none is open there.
   */
  void reset() {
    inside = false;
  }

  /** {@code each}, called only for the rows to journal. */
  ChangeRow.RowHandler around(ChangeRow.RowHandler each) {
    return row -> {
      switch (row.op()) {
        case BEGIN -> inside = true;
        case END -> inside = false;
        default -> {
          if (!inside || forward) {
            each.accept(row);
          } else if (!told) {
            told = true;
            log.info("{} skipping the changes Ferry applied to this database (change rows between its marks in"
                + " _ferry_changes, first {}; set source.forward-origins: true to capture them)", side, row.id());
          }
        }
      }
    };
  }
}
