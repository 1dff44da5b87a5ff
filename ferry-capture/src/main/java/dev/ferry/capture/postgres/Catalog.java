package dev.ferry.capture.postgres;

import dev.ferry.journal.model.LogicalType;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.snapshot.NoSuchTableException;
import dev.ferry.journal.snapshot.SourceSequence;
import dev.ferry.journal.snapshot.SourceTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ferry's one reader of a PostgreSQL source's catalog. Capture asks it over a normal connection:
 * type names (pgoutput sends only OIDs for built-in types), the sequences a table owns, their
 * current values, and selected tables missing from the publication. A snapshot session asks it
 * ({@link #describe}, static, on the session's connection) for a table's columns, key, size and
 * sequences, to copy it.
 *
 * <p>An instance is not thread-safe: used by the capture thread only. The static methods are
 * stateless.
 */
final class Catalog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Catalog.class);

  private record TypeKey(int oid, int typmod) {
  }

  private final PostgresSourceConfig config;
  private Connection c;
  private final Map<TypeKey, String> typeNames = new HashMap<>();
  private final Map<Integer, List<OwnedSequence>> ownedSequences = new HashMap<>();
  private final Set<TableId> reportedUnpublished = new HashSet<>();
  private int sequencesGeneration;

  Catalog(PostgresSourceConfig config) throws SQLException {
    this.config = config;
    this.c = Connections.normal(config);
  }

  /** Opens a new connection when the old one broke (called before each stream session). */
  void reconnectIfBroken() throws SQLException {
    if (c.isClosed() || !c.isValid(5)) {
      c.close();
      c = Connections.normal(config);
    }
  }

  /** The SQL type as {@code format_type} spells it, with modifiers: {@code numeric(10,2)}. */
  String typeName(int oid, int typmod, Optional<String> fallback) throws SQLException {
    TypeKey key = new TypeKey(oid, typmod);
    String known = typeNames.get(key);
    if (known != null) {
      return known;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT format_type(?, ?)")) {
      ps.setInt(1, oid);
      ps.setInt(2, typmod);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        String name = rs.getString(1);
        // format_type answers '???' for a type dropped since the change was made.
        String result = name == null || name.equals("???") ? fallback.orElse("oid " + oid) : name;
        typeNames.put(key, result);
        return result;
      }
    }
  }

  /**
   * A sequence owned by a column of a table (serial, identity, {@code OWNED BY}).
   *
   * @param column the owning column's name
   * @param descending whether the sequence counts down (negative increment)
   */
  record OwnedSequence(TableId sequence, String column, boolean descending) {
  }

  /** The sequences owned by the table's columns, by sequence name. */
  List<OwnedSequence> ownedSequences(int relId) throws SQLException {
    List<OwnedSequence> known = ownedSequences.get(relId);
    if (known != null) {
      return known;
    }
    List<OwnedSequence> found = new ArrayList<>();
    for (SourceSequence s : sequences(c, Integer.toUnsignedString(relId))) {
      found.add(new OwnedSequence(s.sequence(), s.column(), s.increment() < 0));
    }
    found.sort(Comparator.comparing(OwnedSequence::sequence));
    ownedSequences.put(relId, List.copyOf(found));
    return found;
  }

  /** Goes up each time cached ownership is forgotten, so callers caching on top of it know to ask again. */
  int sequencesGeneration() {
    return sequencesGeneration;
  }

  /** Forgets cached ownership after a relation or DDL change. */
  void forgetSequences() {
    ownedSequences.clear();
    sequencesGeneration++;
  }

  /** The last value each sequence handed out; sequences never used are left out. */
  Map<TableId, Long> sequenceValues(List<TableId> sequences) throws SQLException {
    Map<TableId, Long> values = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT last_value FROM pg_sequences WHERE schemaname = ? AND sequencename = ?")) {
      for (TableId seq : sequences) {
        ps.setString(1, seq.schema());
        ps.setString(2, seq.name());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            long value = rs.getLong(1);
            if (!rs.wasNull()) {
              values.put(seq, value);
            }
          }
        }
      }
    }
    return values;
  }

  /**
   * Warns, once per table, about tables the include/exclude regexes select that are not in the
   * publication (created after setup): PostgreSQL sends none of their changes until setup runs
   * again. Capture does not add them itself; docs/postgres-capture.md says why.
   */
  void warnUnpublished() throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SetupChecks.USER_TABLES + """
          AND NOT EXISTS (SELECT 1 FROM pg_publication_tables p
                          WHERE p.pubname = ? AND p.schemaname = n.nspname AND p.tablename = c.relname)
        ORDER BY 1, 2""")) {
      ps.setString(1, config.publicationName());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TableId table = new TableId(rs.getString(1), rs.getString(2));
          if (config.selects(table.schema(), table.name()) && reportedUnpublished.add(table)) {
            LOG.warn("{} table {} matches include {} minus exclude {} but is not in publication {}: its "
                + "changes are not captured until ferry setup runs again", config.side(), table, config.include(),
                config.exclude(), config.publicationName());
          }
        }
      }
    }
  }

  /**
   * Describes {@code table} for a copy, as the transaction of {@code c} sees it: columns with their
   * {@code format_type}, primary key, size, and the sequences behind its serial and identity
   * columns with their current value (sequences are not transactional: read now, at or above the
   * snapshot's value).
   *
   * @throws NoSuchTableException if the source has no such table
   */
  static SourceTable describe(Connection c, TableId table) throws SQLException {
    String name = Connections.quote(table.schema()) + "." + Connections.quote(table.name());
    String oid = oid(c, name).orElseThrow(() -> new NoSuchTableException("source table " + name
        + " does not exist", table));
    List<SourceTable.SourceColumn> columns = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("""
        SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atttypid
          FROM pg_attribute a
         WHERE a.attrelid = CAST(? AS oid) AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum""")) {
      ps.setString(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.add(new SourceTable.SourceColumn(rs.getString(1), rs.getString(2), rs.getBoolean(3),
              LogicalType.ofPostgres((int) rs.getLong(4), rs.getString(2))));
        }
      }
    }
    long[] size = size(c, oid);
    List<SourceSequence> sequences = new ArrayList<>();
    for (SourceSequence s : sequences(c, oid)) {
      sequences.add(withLastValue(c, s));
    }
    return new SourceTable(table, columns, primaryKey(c, oid), size[0], size[1], sequences);
  }

  private static Optional<String> oid(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?)::oid")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
      }
    }
  }

  private static List<String> primaryKey(Connection c, String oid) throws SQLException {
    List<String> key = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("""
        SELECT a.attname
          FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
         WHERE i.indrelid = CAST(? AS oid) AND i.indisprimary
         ORDER BY k.n""")) {
      ps.setString(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          key.add(rs.getString(1));
        }
      }
    }
    return key;
  }

  /** The row estimate ({@code reltuples}, 0 when unknown) and the size in pages. */
  private static long[] size(Connection c, String oid) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("""
        SELECT greatest(c.reltuples, 0)::bigint,
               pg_relation_size(c.oid) / current_setting('block_size')::bigint
          FROM pg_class c WHERE c.oid = CAST(? AS oid)""")) {
      ps.setString(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new long[] {rs.getLong(1), rs.getLong(2)} : new long[] {0, 0};
      }
    }
  }

  /**
   * The sequences a table's columns depend on, in column order: owned by a serial column
   * (dependency 'a') or internal to an identity column ('i'), with their options; the last value
   * is left 0 (not called) here.
   */
  private static List<SourceSequence> sequences(Connection c, String relOid) throws SQLException {
    List<SourceSequence> found = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("""
        SELECT a.attname, a.attidentity, n.nspname, sc.relname, format_type(s.seqtypid, NULL),
               s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle
          FROM pg_depend d
          JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
          JOIN pg_sequence s ON s.seqrelid = d.objid
          JOIN pg_class sc ON sc.oid = s.seqrelid
          JOIN pg_namespace n ON n.oid = sc.relnamespace
         WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
           AND d.refobjid = CAST(? AS oid) AND d.deptype IN ('a', 'i') AND NOT a.attisdropped
         ORDER BY a.attnum""")) {
      ps.setString(1, relOid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          SourceSequence.Kind kind = switch (rs.getString(2)) {
            case "a" -> SourceSequence.Kind.ALWAYS;
            case "d" -> SourceSequence.Kind.BY_DEFAULT;
            default -> SourceSequence.Kind.SERIAL;
          };
          found.add(new SourceSequence(rs.getString(1), new TableId(rs.getString(3), rs.getString(4)), kind,
              rs.getString(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10),
              rs.getBoolean(11), 0, false));
        }
      }
    }
    return found;
  }

  private static SourceSequence withLastValue(Connection c, SourceSequence s) throws SQLException {
    TableId seq = s.sequence();
    try (PreparedStatement ps = c.prepareStatement("SELECT last_value, is_called FROM "
        + Connections.quote(seq.schema()) + "." + Connections.quote(seq.name())); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return new SourceSequence(s.column(), seq, s.kind(), s.dataType(), s.start(), s.increment(), s.min(), s.max(),
          s.cache(), s.cycle(), rs.getLong(1), rs.getBoolean(2));
    }
  }

  @Override
  public void close() throws SQLException {
    c.close();
  }
}
