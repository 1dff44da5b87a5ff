package dev.ferry.apply.jdbc;

import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.TableId;
import java.util.Optional;

/** Inside the applier: the current transaction must not be applied (conflict under stop, refused DDL). */
final class StopApply extends Exception {
  private final transient Side side;
  private final String detail;
  private final transient ConflictRecord conflict;
  private final transient TableId table;

  StopApply(Side side, String detail, TableId table, ConflictRecord conflict) {
    super(side.prefix(detail), null, false, false);
    this.side = side;
    this.detail = detail;
    this.table = table;
    this.conflict = conflict;
  }

  /** The replica that stopped. */
  Side side() {
    return side;
  }

  /** The message without the replica's prefix. */
  String detail() {
    return detail;
  }

  Optional<ConflictRecord> conflict() {
    return Optional.ofNullable(conflict);
  }

  Optional<TableId> table() {
    return Optional.ofNullable(table);
  }
}
