package dev.ferry.journal.snapshot;

/**
 * A part of a table's rows that a session copies on its own, made by {@link
 * SnapshotSession#slices}. Immutable.
 *
 * @param condition the source's condition selecting the slice, as the reader that made it reads
 *     it ({@code ""} for the whole table); also printed in messages
 * @param estimatedRows about how many rows it holds
 */
public record TableSlice(String condition, long estimatedRows) {
  public TableSlice {
    if (condition == null) {
      throw new IllegalArgumentException("a slice's condition must not be null (\"\" for the whole table)");
    }
  }

  /** The whole table as one slice. */
  public static TableSlice whole(SourceTable table) {
    return new TableSlice("", table.estimatedRows());
  }
}
