package dev.ferry.apply.jdbc;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.dialect.DdlTables;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.apply.dialect.UnmappableDdlException;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.util.List;

/**
 * What a transaction's DDL needs from the target, checked before anything of the transaction is
 * applied, so that a refusal leaves the replica just before it: every DDL the target can take
 * ({@link Dialect#checkDdl}). (Row changes before a DDL on a target whose DDL commits on its own
 * are committed with a {@link DdlSteps} record.) Stateless.
 */
final class DdlGate {
  private DdlGate() {
  }

  /** Whether {@code tx} carries DDL that will run (skip-ddl unset). */
  static boolean runsDdl(ApplyConfig config, Transaction tx) {
    return !config.skipDdl() && tx.changes().stream().anyMatch(Change.Ddl.class::isInstance);
  }

  /** Checks {@code changes} of {@code tx}; throws naming the table, the statement and the GTID. */
  static void check(Dialect dialect, ApplyConfig config, Transaction tx, List<Change> changes) throws StopApply {
    if (config.skipDdl()) {
      return;
    }
    for (Change change : changes) {
      if (!(change instanceof Change.Ddl ddl)) {
        continue;
      }
      if (leftOut(config, ddl, tx.sourcePosition().kind())) {
        continue;
      }
      try {
        dialect.checkDdl(ddl, tx.sourcePosition().kind());
      } catch (UnmappableDdlException e) {
        throw new StopApply(config.side(), "cannot apply " + tx.gtid() + ": the " + dialect.name() + " target cannot"
            + " take the " + source(tx) + " DDL '" + ddl.command() + "'" + on(e.table()) + ": " + e.getMessage()
            + ". Nothing of " + tx.gtid() + " was applied; run the equivalent DDL on the replica by hand, then "
            + skip(config, tx), null, null);
      }
    }
  }

  /**
   * Whether the replica's {@code tables} filter leaves out every table {@code ddl} is about
   * ({@link DdlTables}): such DDL is not applied, as the rows of those tables are not. DDL Ferry
   * cannot attribute to tables is applied whatever the filter.
   */
  static boolean leftOut(ApplyConfig config, Change.Ddl ddl, SourcePosition.Kind source) {
    return DdlTables.named(ddl, source).map(tables -> tables.stream().noneMatch(config.filter()::accepts))
        .orElse(false);
  }

  private static String skip(ApplyConfig config, Transaction tx) {
    return "'ferry skip --replica " + config.replicaName() + " --gtid " + tx.gtid() + "' to go past it (see"
        + " docs/apply.md, 'DDL into a MariaDB target')";
  }

  private static String on(String table) {
    return table.isEmpty() ? "" : " (table " + table + ")";
  }

  private static String source(Transaction tx) {
    return switch (tx.sourcePosition().kind()) {
      case PG_LSN -> "PostgreSQL";
      case CHANGE_ID -> "SQLite";
      case BINLOG -> "MariaDB";
      case NONE -> "source's";
    };
  }
}
