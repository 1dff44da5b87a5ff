package dev.ferry.capture.postgres;

import dev.ferry.journal.model.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What capture asks the source's catalog over a normal connection: type names (pgoutput sends
 * only OIDs for built-in types), the sequences a table owns, their current values, and selected
 * tables missing from the publication.
 *
 * <p>Not thread-safe: used by the capture thread only.
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
    try (PreparedStatement ps = c.prepareStatement("""
        SELECT n.nspname, s.relname, a.attname, q.seqincrement < 0 FROM pg_depend d
        JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        JOIN pg_namespace n ON n.oid = s.relnamespace
        JOIN pg_sequence q ON q.seqrelid = s.oid
        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.refobjid = ? AND d.deptype IN ('a', 'i') ORDER BY 1, 2""")) {
      ps.setInt(1, relId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.add(new OwnedSequence(new TableId(rs.getString(1), rs.getString(2)), rs.getString(3), rs.getBoolean(4)));
        }
      }
    }
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
            LOG.warn("[source {}] table {} matches include {} minus exclude {} but is not in publication {}: its "
                + "changes are not captured until ferry setup runs again", config.name(), table, config.include(),
                config.exclude(), config.publicationName());
          }
        }
      }
    }
  }

  @Override
  public void close() throws SQLException {
    c.close();
  }
}
