package dev.ferry.apply.sync;

import dev.ferry.apply.dialect.IndexDeferral;
import dev.ferry.apply.jdbc.SeedTarget;
import dev.ferry.journal.snapshot.SourceTable;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * A seed's tables' indexes built after the copy instead of during it, where the target's dialect
 * has an {@link IndexDeferral} (PostgreSQL: definitions recorded in {@code _ferry.sync_indexes},
 * dropped in the transaction that empties the tables, built again once a table's rows are in; a
 * seed killed between the two leaves them for the next). Stateless; the caller owns the
 * connection and its transaction.
 */
final class DeferredIndexes {
  private DeferredIndexes() {
  }

  /**
   * Records and drops the indexes of {@code tables} that can be built again exactly; returns the
   * indexes to build per table (quoted target name), including those a killed seed left recorded.
   * None where the target keeps its indexes during the copy.
   */
  static Map<String, List<IndexDeferral.Index>> defer(SeedTarget target, List<SourceTable> tables, String prefix)
      throws SQLException {
    if (target.indexDeferral().isEmpty()) {
      return Map.of();
    }
    List<String> names = tables.stream().map(t -> target.tableName(t.id())).toList();
    return target.indexDeferral().get().defer(target.connection(), names, prefix);
  }

  /** Builds {@code indexes} of {@code table}, in the connection's open transaction (not committed here). */
  static void build(SeedTarget target, String table, List<IndexDeferral.Index> indexes, String prefix)
      throws SQLException {
    if (!indexes.isEmpty()) {
      target.indexDeferral().orElseThrow().build(target.connection(), table, indexes, prefix);
    }
  }
}
