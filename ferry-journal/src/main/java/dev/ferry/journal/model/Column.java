package dev.ferry.journal.model;

/**
 * A column of a source table as the source describes it.
 *
 * @param name column name, exactly as the source spells it; never null
 * @param typeName the source's type name (e.g. {@code numeric}, {@code timestamptz},
 *     {@code TEXT}); never null
 * @param typeOid the PostgreSQL type OID, or 0 for sources without OIDs
 */
public record Column(String name, String typeName, int typeOid) {
  public Column {
    if (name == null || typeName == null) {
      throw new IllegalArgumentException("column name and type name must not be null");
    }
  }
}
