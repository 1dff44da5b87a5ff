package dev.ferry.apply.jdbc;

import dev.ferry.journal.model.TableId;
import java.util.Optional;

/** Inside the applier: the current transaction must not be applied (conflict under stop, refused DDL). */
final class StopApply extends Exception {
  private final transient ConflictRecord conflict;
  private final transient TableId table;

  StopApply(String message, TableId table, ConflictRecord conflict) {
    super(message, null, false, false);
    this.table = table;
    this.conflict = conflict;
  }

  Optional<ConflictRecord> conflict() {
    return Optional.ofNullable(conflict);
  }

  Optional<TableId> table() {
    return Optional.ofNullable(table);
  }
}
