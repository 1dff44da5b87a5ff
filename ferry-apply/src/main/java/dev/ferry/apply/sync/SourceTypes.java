package dev.ferry.apply.sync;

import dev.ferry.apply.dialect.TypeFamily;

/**
 * How a source's column types are spelled, by the source's kind: each target's catalog keeps its
 * own family's types and maps the other's (docs/initial-sync.md, type mapping). Stateless.
 */
enum SourceTypes {
  /** Exact {@code format_type} text: kept on PostgreSQL, mapped to SQLite's (docs/apply.md). */
  POSTGRES(TypeFamily.POSTGRES),
  /** SQLite declared types: kept on SQLite, mapped by SQLite's type affinity on PostgreSQL. */
  SQLITE(TypeFamily.SQLITE),
  /** MariaDB's {@code COLUMN_TYPE}: kept on MariaDB, mapped as docs/mariadb-capture.md's Types table says. */
  MARIADB(TypeFamily.MARIADB);

  private final TypeFamily family;

  SourceTypes(TypeFamily family) {
    this.family = family;
  }

  /** The source types spelled by {@code family}. */
  static SourceTypes of(TypeFamily family) {
    for (SourceTypes t : values()) {
      if (t.family == family) {
        return t;
      }
    }
    throw new IllegalArgumentException("no source types of family " + family);
  }

  /** The family the target's catalog maps these types from. */
  TypeFamily family() {
    return family;
  }
}
