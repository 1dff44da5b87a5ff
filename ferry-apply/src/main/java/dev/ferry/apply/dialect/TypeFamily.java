package dev.ferry.apply.dialect;

/**
 * Whose spelling a source column's type is in: a target's {@link TargetCatalog#columnType} keeps
 * its own family's types and maps the other's (docs/initial-sync.md, type mapping).
 */
public enum TypeFamily {
  /** PostgreSQL's exact {@code format_type} text. */
  POSTGRES,
  /** SQLite's declared types (any text, read by type affinity). */
  SQLITE,
  /** MariaDB's {@code COLUMN_TYPE} text ({@link MariaDbColumnType}). */
  MARIADB
}
