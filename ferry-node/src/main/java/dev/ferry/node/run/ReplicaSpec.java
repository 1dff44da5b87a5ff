package dev.ferry.node.run;

import dev.ferry.apply.ApplyConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One replica: where its target is and how it applies. {@code apply.source()} is replaced by the
 * journal's UUID when the replica starts, so a replica's progress belongs to one journal's
 * history: a new journal is a new history, never mistaken for the old one.
 *
 * @param apply how it applies (name, conflicts, grouping, filter, DDL)
 * @param url the target's JDBC URL
 * @param properties extra connection properties (a password, kept out of logs)
 */
public record ReplicaSpec(ApplyConfig apply, String url, Properties properties) {
  public ReplicaSpec {
    properties = (Properties) properties.clone();
  }

  public String name() {
    return apply.replicaName();
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url, properties);
  }

  /** Its apply settings with the progress keyed by {@code journalId}. */
  public ApplyConfig forJournal(String journalId) {
    ApplyConfig a = apply;
    return new ApplyConfig(a.replicaName(), journalId, a.conflictPolicy(), a.grouping(), a.filter(), a.skipDdl(),
        a.retry(), a.readOnlyReplica());
  }
}
