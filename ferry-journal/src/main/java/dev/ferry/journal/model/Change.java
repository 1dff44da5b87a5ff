package dev.ferry.journal.model;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One change inside a {@link Transaction}. Rows are lists of {@link Value}s aligned with the
 * change's column list: {@code row.get(i)} is the value of {@code columns.get(i)}.
 *
 * <p>All variants are immutable records (lists are copied with {@link List#copyOf}) and
 * thread-safe; no component is null. The rows of changes read from a journal decode their values
 * on first access (still immutable and thread-safe).
 */
public sealed interface Change {
  /** Which old image an {@link Update} or {@link Delete} carries. Stored by ordinal: only append. */
  enum OldImage {
    /** No old image (an update that did not change the key). */
    NONE,
    /** The old replica-identity key; non-key columns are {@link Value#NULL}. */
    KEY,
    /** The whole old row (PostgreSQL {@code REPLICA IDENTITY FULL}). */
    FULL
  }

  /** A new row. */
  record Insert(TableId table, List<Column> columns, List<Value> row) implements Change {
    public Insert {
      columns = List.copyOf(columns);
      row = ImmutableValues.of(row);
      Changes.checkAligned(table, columns, row, "row");
    }
  }

  /**
   * A changed row. Columns the source did not send because they are unchanged (TOAST) hold
   * {@link Value#UNCHANGED} in {@code row}. {@code old} is empty when {@code oldImage} is NONE.
   */
  record Update(TableId table, List<Column> columns, OldImage oldImage, List<Value> old, List<Value> row)
      implements Change {
    public Update {
      columns = List.copyOf(columns);
      old = ImmutableValues.of(old);
      row = ImmutableValues.of(row);
      Changes.checkAligned(table, columns, row, "row");
      Changes.checkOld(table, columns, oldImage, old);
    }
  }

  /** A deleted row, identified by its old key or whole old row. */
  record Delete(TableId table, List<Column> columns, OldImage oldImage, List<Value> old) implements Change {
    public Delete {
      columns = List.copyOf(columns);
      old = ImmutableValues.of(old);
      if (oldImage == OldImage.NONE) {
        throw new IllegalArgumentException("DELETE on " + table + " needs an old key or old row");
      }
      Changes.checkOld(table, columns, oldImage, old);
    }
  }

  /** A TRUNCATE of one or more tables. */
  record Truncate(List<TableId> tables, boolean cascade, boolean restartIdentity) implements Change {
    public Truncate {
      tables = List.copyOf(tables);
    }
  }

  /**
   * A DDL command, at its exact place in the transaction.
   *
   * <p>{@code ranInside} is present when the source could not isolate the command's own text: the
   * DDL ran inside a function, a {@code DO} block or a procedure, or could not be told apart from
   * the other statements of its query string. Then {@code command} is what the source reported of
   * the DDL itself, {@code ranInside} is the client statement it ran inside, and the DDL is not
   * replayable: replaying the caller's text would run its other work again.
   */
  record Ddl(String command, String searchPath, long schemaSequence, Optional<String> ranInside) implements Change {
    public Ddl {
      if (command == null || searchPath == null || ranInside == null) {
        throw new IllegalArgumentException("DDL command, search path and ranInside must not be null");
      }
    }

    /** A replayable DDL: the text of the command itself. */
    public Ddl(String command, String searchPath, long schemaSequence) {
      this(command, searchPath, schemaSequence, Optional.empty());
    }

    /** True when {@code command} is the DDL's own text and can run on a replica. */
    public boolean replayable() {
      return ranInside.isEmpty();
    }
  }

  /** A sequence moved to {@code value}. */
  record SequenceAdvance(TableId sequence, long value) implements Change {
    public SequenceAdvance {
      if (sequence == null) {
        throw new IllegalArgumentException("sequence must not be null");
      }
    }
  }

  /** A logical message ({@code pg_logical_emit_message}); content compared by value. */
  record Message(String prefix, boolean transactional, byte[] content) implements Change {
    public Message {
      if (prefix == null || content == null) {
        throw new IllegalArgumentException("message prefix and content must not be null");
      }
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Message m && m.transactional == transactional && m.prefix.equals(prefix)
          && Arrays.equals(m.content, content);
    }

    @Override
    public int hashCode() {
      return (prefix.hashCode() * 31 + Boolean.hashCode(transactional)) * 31 + Arrays.hashCode(content);
    }

    @Override
    public String toString() {
      return "Message[prefix=" + prefix + ", transactional=" + transactional + ", " + content.length + " bytes]";
    }
  }
}

/** Argument checks shared by the {@link Change} records. */
final class Changes {
  private Changes() {
  }

  static void checkAligned(TableId table, List<Column> columns, List<Value> values, String what) {
    if (table == null) {
      throw new IllegalArgumentException("table must not be null");
    }
    if (values.size() != columns.size()) {
      throw new IllegalArgumentException(what + " of " + table + " has " + values.size()
          + " values for " + columns.size() + " columns");
    }
  }

  static void checkOld(TableId table, List<Column> columns, Change.OldImage oldImage, List<Value> old) {
    if (oldImage == null) {
      throw new IllegalArgumentException("old image kind of " + table + " must not be null");
    }
    if (oldImage == Change.OldImage.NONE) {
      if (!old.isEmpty()) {
        throw new IllegalArgumentException("old image of " + table + " is NONE but has " + old.size() + " values");
      }
    } else {
      checkAligned(table, columns, old, "old " + oldImage.name().toLowerCase(java.util.Locale.ROOT));
    }
  }
}
