package dev.ferry.journal.model;

/**
 * A column of a source table as the source describes it, with the logical type a target converts
 * its values by. Immutable; no component is null.
 *
 * @param name column name, exactly as the source spells it
 * @param typeName the source's type name (e.g. {@code numeric(12,4)}, {@code timestamp with time
 *     zone}, {@code TEXT}), kept for DDL and messages
 * @param typeOid the PostgreSQL type OID, or 0 for sources without OIDs
 * @param logicalType what the column holds, decided by capture from the source's type
 */
public record Column(String name, String typeName, int typeOid, LogicalType logicalType) {
  public Column {
    if (name == null || typeName == null || logicalType == null) {
      throw new IllegalArgumentException("column name, type name and logical type must not be null");
    }
  }

  /**
   * A column whose logical type is derived as for journals of format versions 1 and 2, which did
   * not store one: {@link LogicalType#ofPostgres} of the OID and type name.
   */
  public Column(String name, String typeName, int typeOid) {
    this(name, typeName, typeOid, LogicalType.ofPostgres(typeOid, typeName == null ? "" : typeName));
  }
}
