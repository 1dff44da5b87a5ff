package dev.ferry.journal.snapshot;

import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import java.util.List;

/**
 * A source table as the source catalog describes it, enough to create it on a target and copy it.
 * Immutable.
 *
 * @param id schema and name
 * @param columns the columns in order, {@code sqlType} as {@code format_type} spells it
 *     ({@code numeric(12,4)}, {@code timestamp with time zone}); never empty
 * @param primaryKey the primary key's columns in key order; empty for a table without one
 * @param estimatedRows the catalog's row estimate ({@code reltuples}); 0 when unknown
 * @param pages the table's size in pages when described (the snapshot may see fewer)
 * @param sequences the sequences behind its serial and identity columns
 */
public record SourceTable(TableId id, List<SourceColumn> columns, List<String> primaryKey, long estimatedRows,
    long pages, List<SourceSequence> sequences) {
  public SourceTable {
    columns = List.copyOf(columns);
    primaryKey = List.copyOf(primaryKey);
    sequences = List.copyOf(sequences);
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("table " + id + " has no columns");
    }
  }

  public SourceTable(TableId id, List<SourceColumn> columns, List<String> primaryKey, long estimatedRows, long pages) {
    this(id, columns, primaryKey, estimatedRows, pages, List.of());
  }

  /** The sequence feeding {@code column}, if any. */
  public java.util.Optional<SourceSequence> sequenceOf(String column) {
    return sequences.stream().filter(s -> s.column().equals(column)).findFirst();
  }

  /**
   * A column: {@code sqlType} is exact SQL text from the source catalog, safe to splice into DDL.
   */
  public record SourceColumn(String name, String sqlType, boolean notNull) {
    /** As the journal's column model, so values are converted as the applier would. */
    public Column asColumn() {
      return new Column(name, sqlType, 0);
    }
  }
}
