package dev.ferry.apply.sync;

import dev.ferry.apply.jdbc.SeedTarget;
import dev.ferry.journal.snapshot.SourceSequence;
import dev.ferry.journal.snapshot.SourceTable;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the tables missing on the target and empties the ones a seed replaces, asking the
 * target ({@link SeedTarget}) what it has rather than which database it is. PostgreSQL targets get the source's exact column types ({@code format_type}), NOT NULL, primary key, and the
 * sequences behind serial and identity columns (same names and options, the serial ones owned by
 * their column and used as its default, the identity ones as {@code GENERATED ALWAYS} or
 * {@code BY DEFAULT}); SQLite targets get the mapped types of {@code docs/apply.md} and the primary
 * key. Either way every such sequence is then moved up to the source's value (on SQLite its
 * {@code ferry_sequences} row), so the journal's {@code SequenceAdvance}s find it and it never
 * hands out a value the source has used. A SQLite source's tables keep their declared types on a
 * SQLite target and get {@link SourceTypes#SQLITE}'s mapping on PostgreSQL, with their primary key.
 */
final class TargetTables {
  private static final Logger log = LoggerFactory.getLogger(TargetTables.class);

  private TargetTables() {
  }

  /**
   * Creates {@code table} if missing (in the connection's open transaction, not committed here);
   * checks an existing one has every source column.
   *
   * @return whether the target columns have exactly the source's types (binary COPY works)
   */
  static boolean ensure(SeedTarget target, SourceTable table, String prefix) throws SQLException {
    return ensure(target, table, SourceTypes.POSTGRES, prefix);
  }

  /** As {@link #ensure(SeedTarget, SourceTable, String)}, the column types those of a source of kind {@code types}. */
  static boolean ensure(SeedTarget target, SourceTable table, SourceTypes types, String prefix) throws SQLException {
    boolean sameTypes = create(target, table, types, prefix);
    advanceSequences(target, table);
    return sameTypes;
  }

  private static boolean create(SeedTarget target, SourceTable table, SourceTypes types, String prefix)
      throws SQLException {
    Optional<Map<String, String>> existing = target.columns(table.id());
    if (existing.isPresent()) {
      List<String> missing = new ArrayList<>();
      boolean sameTypes = true;
      for (SourceTable.SourceColumn c : table.columns()) {
        sameTypes &= c.sqlType().equals(existing.get().get(c.name()));
        if (!existing.get().containsKey(c.name())) {
          missing.add(c.name());
        }
      }
      if (!missing.isEmpty()) {
        throw new SQLException(prefix + "target table " + target.tableName(table.id()) + " lacks the source columns "
            + missing + "; add them or drop the table so initial sync creates it", "42703");
      }
      return sameTypes && target.binaryCopyFrom(types.family());
    }
    try (Statement st = target.connection().createStatement()) {
      target.createSchema(table.id().schema());
      createSerialSequences(target, table, st);
      String ddl = createTable(target, table, types);
      try {
        st.execute(ddl);
      } catch (SQLException e) {
        throw new SQLException("cannot create the missing table " + target.tableName(table.id()) + " with "
            + ddl + ": " + e.getMessage() + "; create it on the target before seeding, or leave it out with the"
            + " replica's tables filter", e.getSQLState(), e);
      }
      log.info("{}created {}", prefix, ddl);
      for (SourceSequence s : table.sequences()) {
        if (target.hasSequences() && s.kind() == SourceSequence.Kind.SERIAL) {
          st.execute("ALTER SEQUENCE " + target.tableName(s.sequence()) + " OWNED BY " + target.tableName(table.id())
              + "." + target.quote(s.column()));
        }
      }
    }
    return target.binaryCopyFrom(types.family());
  }

  /** A serial column's sequence exists before the table whose default names it. */
  private static void createSerialSequences(SeedTarget target, SourceTable table, Statement st) throws SQLException {
    if (!target.hasSequences()) {
      return;
    }
    for (SourceSequence s : table.sequences()) {
      if (s.kind() == SourceSequence.Kind.SERIAL) {
        createSequence(target, s, st);
      }
    }
  }

  private static void createSequence(SeedTarget target, SourceSequence s, Statement st) throws SQLException {
    target.createSchema(s.sequence().schema());
    st.execute("CREATE SEQUENCE IF NOT EXISTS " + target.tableName(s.sequence()) + " AS " + s.dataType()
        + options(s));
  }

  /**
   * Every sequence of the table at or above the source's value; on PostgreSQL one missing on a
   * table that existed already is created (standalone: the table's columns are the user's).
   */
  private static void advanceSequences(SeedTarget target, SourceTable table) throws SQLException {
    for (SourceSequence s : table.sequences()) {
      if (target.hasSequences()) {
        try (Statement st = target.connection().createStatement()) {
          createSequence(target, s, st);
        }
      }
      if (s.isCalled()) {
        target.advanceSequence(s.sequence(), s.lastUsed());
      }
    }
  }

  /**
   * A source's standalone sequences (a MariaDB source's {@code SEQUENCE}s), in the connection's open
   * transaction: created where the target keeps such sequences and lacks one (MariaDB), then moved up
   * to the source's value as a {@code SequenceAdvance} would move them (never back); a target
   * without the sequence that keeps nothing of it (PostgreSQL) is told once, in the log, per sequence.
   */
  static void ensureSequences(SeedTarget target, List<SourceSequence> sequences, String prefix) throws SQLException {
    for (SourceSequence s : sequences) {
      Optional<String> created = target.createStandaloneSequence(s);
      created.ifPresent(ddl -> log.info("{}created {}", prefix, ddl));
      if (!s.isCalled()) {
        continue; // nothing handed out yet
      }
      if (target.advanceSequence(s.sequence(), s.lastUsed())) {
        log.info("{}sequence {} at or above the source's {}", prefix, s.sequence(), s.lastUsed());
      } else {
        log.warn("{}the source's sequence {} is not on this target: its value at the snapshot ({}) is not kept, nor"
            + " are its advances. Create the sequence here before seeding to have them kept (docs/apply.md), or leave"
            + " it out with the replica's tables filter", prefix, s.sequence(), s.lastUsed());
      }
    }
  }

  static String createTable(SeedTarget target, SourceTable table, SourceTypes types) throws SQLException {
    StringBuilder sql = new StringBuilder("CREATE TABLE ").append(target.tableName(table.id())).append(" (");
    boolean first = true;
    for (SourceTable.SourceColumn c : table.columns()) {
      String type;
      try {
        type = target.columnType(types.family(), c.sqlType());
      } catch (IllegalArgumentException e) {
        throw new SQLException("cannot create " + table.id() + " on the target: column " + c.name() + ": "
            + e.getMessage() + "; create the table on the target before seeding, or leave it out with the replica's"
            + " tables filter", "0A000", e);
      }
      sql.append(first ? "" : ", ").append(target.quote(c.name())).append(' ').append(type)
          .append(c.notNull() ? " NOT NULL" : "")
          .append(target.hasSequences() ? table.sequenceOf(c.name()).map(s -> sequenceUse(target, s)).orElse("") : "");
      first = false;
    }
    if (!table.primaryKey().isEmpty()) {
      sql.append(", PRIMARY KEY (");
      for (int i = 0; i < table.primaryKey().size(); i++) {
        sql.append(i == 0 ? "" : ", ").append(target.quote(table.primaryKey().get(i)));
      }
      sql.append(')');
    }
    return sql.append(')').toString();
  }

  /** How a PostgreSQL column uses its sequence: its default, or its identity. */
  private static String sequenceUse(SeedTarget target, SourceSequence s) {
    return switch (s.kind()) {
      case SERIAL -> " DEFAULT nextval('" + target.tableName(s.sequence()).replace("'", "''") + "'::regclass)";
      case ALWAYS -> " GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME " + target.tableName(s.sequence()) + options(s) + ")";
      case BY_DEFAULT -> " GENERATED BY DEFAULT AS IDENTITY (SEQUENCE NAME " + target.tableName(s.sequence())
          + options(s) + ")";
      case STANDALONE -> ""; // no column names it: sequenceOf never finds one
    };
  }

  /** The options clause shared by CREATE SEQUENCE and an identity column. */
  private static String options(SourceSequence s) {
    return " INCREMENT BY " + s.increment() + " MINVALUE " + s.min() + " MAXVALUE " + s.max() + " START WITH "
        + s.start() + " CACHE " + s.cache() + (s.cycle() ? " CYCLE" : " NO CYCLE");
  }

  /** Empties {@code tables} (all on the target) in the connection's open transaction (not committed here). */
  static void truncate(SeedTarget target, List<SourceTable> tables) throws SQLException {
    if (tables.isEmpty()) {
      return;
    }
    target.truncate(tables.stream().map(SourceTable::id).toList());
  }
}
