package dev.ferry.apply.jdbc;

import dev.ferry.apply.ConflictType;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.TableId;
import java.time.Instant;
import java.util.Optional;

/**
 * One detected conflict, as a row of the {@code conflicts} table.
 *
 * @param key the row's primary key as text; for a clash on a unique key, the clashing values and the
 *     key's name: {@code (email=a@x) on unique key users_email_key}
 * @param localRow the target's row, empty if there is none (for a clash: the row holding the values)
 * @param remoteRow the row the source sent (new row, or old row for a delete)
 * @param resolution what was done: {@code stopped}, {@code skipped}, {@code overwritten},
 *     {@code inserted}, {@code ignored}, {@code deleted}
 */
record ConflictRecord(Instant detectedAt, Gtid gtid, ConflictType type, TableId table, String key,
    Optional<String> localRow, String remoteRow, String resolution) {

  ConflictRecord withResolution(String value) {
    return new ConflictRecord(detectedAt, gtid, type, table, key, localRow, remoteRow, value);
  }

  /** What the conflict is, for messages: {@code row (id=42) not found for UPDATE (update_missing)}. */
  String describe() {
    String what = switch (type) {
      case INSERT_EXISTS -> key.contains(" on unique key ") ? "already exists for INSERT (local " + localRow.orElse("?")
          + ")" : "already exists for INSERT";
      case UPDATE_EXISTS -> "already exists for UPDATE (local " + localRow.orElse("?") + ")";
      case UPDATE_MISSING -> "not found for UPDATE";
      case DELETE_MISSING -> "not found for DELETE";
      case UPDATE_DIFFERS -> "differs from the old row the source sent for UPDATE (local " + localRow.orElse("?") + ")";
      case DELETE_DIFFERS -> "differs from the old row the source sent for DELETE (local " + localRow.orElse("?") + ")";
    };
    return "row " + key + " " + what + " (" + type.label() + ")";
  }
}
