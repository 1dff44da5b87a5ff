package dev.ferry.apply.dialect;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * Builds a seed's target indexes after its copy instead of during it, as {@code pg_restore} does
 * (an optional part of a {@link Dialect}: one sorted build per index is much cheaper than
 * maintaining it row by row through millions of inserts). The definitions of the indexes dropped
 * are kept in the target's {@link ControlTables#syncIndexes() sync indexes table} until they are
 * built again, so a seed killed between the two leaves them for the next seed to build. Stateless;
 * the caller owns the connection and its transaction.
 */
public interface IndexDeferral {
  /**
   * An index to build again.
   *
   * @param table the table's name as quoted target SQL
   * @param name the index's name ({@code constraint} false) or the constraint's (true)
   * @param constraint whether it is a constraint's index (re-created with its constraint)
   * @param definition the target catalog's definition of the index or constraint
   */
  record Index(String table, String name, boolean constraint, String definition) {
  }

  /**
   * Records and drops the indexes of {@code tables} (quoted target names, emptied in this
   * transaction) that can be built again exactly; returns the indexes to build per table,
   * including those a killed seed left recorded. Tables outside {@code tables} with recorded
   * indexes get them built here.
   */
  Map<String, List<Index>> defer(Connection c, List<String> tables, String prefix) throws SQLException;

  /**
   * Builds {@code indexes} of {@code table} and forgets their record, in the connection's open
   * transaction (not committed here).
   *
   * @throws SQLException naming the table and the index that could not be built
   */
  void build(Connection c, String table, List<Index> indexes, String prefix) throws SQLException;
}
