package dev.ferry.node.cli;

import dev.ferry.apply.dialect.ControlTables;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.config.ReplicaSettings;
import dev.ferry.node.run.Gtids;
import dev.ferry.node.run.NodeStatus;
import dev.ferry.node.run.ReplicaState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * A replica's progress read straight from its {@code replication_control} row, for
 * {@code ferry status} when no process applies it. Reads only; creates nothing.
 */
final class ReplicaProgress {
  /**
   * How long connecting (TCP and login) to a replica may take before status shows it unreachable: a
   * down or black-holed target must not hold {@code ferry status} up for the driver's default (10 s
   * to connect with pgjdbc, and a login that never answers is waited for without end).
   */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
  /** How long the read of the progress row may take once connected. */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

  private ReplicaProgress() {}

  static NodeStatus.Replica read(FerryConfig config, ReplicaSettings r, String journalId) {
    Dialect dialect = Dialect.forUrl(r.url().value());
    Properties props = dialect.boundedWaits(CONNECT_TIMEOUT, READ_TIMEOUT);
    r.password().ifPresent(p -> props.setProperty("password", p.value()));
    try (Connection c = dialect.openReadOnly(r.url().value(), props)) {
      ControlTables tables = dialect.controlTables();
      if (!tables.exists(c, ControlTables.PROGRESS)) {
        return empty(r.name(), ReplicaState.NEVER_STARTED, Optional.of("no Ferry progress table (never started)"));
      }
      Optional<ControlTables.Progress> row = tables.readProgress(c, journalId);
      if (row.isEmpty()) {
        return empty(r.name(), ReplicaState.NEVER_STARTED, Optional.empty());
      }
      GtidSet applied = GtidSet.parse(row.get().appliedGtids());
      Optional<Gtid> newest = applied.domains().stream().findFirst().flatMap(d ->
          applied.highest(d).map(seq -> new Gtid(d, config.source().gtid().serverId(), seq)));
      return new NodeStatus.Replica(r.name(), ReplicaState.STOPPED, newest, NodeStatus.Lag.NONE, 0,
          Optional.empty(), row.get().journalPosition(), row.get().lastCommitTime(),
          Optional.empty(), Gtids.newestOf(applied, config.source().gtid().serverId()), applied);
    } catch (SQLException e) {
      return empty(r.name(), ReplicaState.UNREACHABLE, Optional.of("cannot read the replica (connect timeout "
          + CONNECT_TIMEOUT.toSeconds() + " s, read timeout " + READ_TIMEOUT.toSeconds() + " s): " + e.getMessage()));
    }
  }

  private static NodeStatus.Replica empty(String name, ReplicaState state, Optional<String> error) {
    return new NodeStatus.Replica(name, state, Optional.empty(), NodeStatus.Lag.NONE, 0, error, Optional.empty(),
        Optional.empty(), Optional.empty());
  }
}
