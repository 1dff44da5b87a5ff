package dev.ferry.node.run;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.dialect.DatabaseIdentity;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.journal.model.Side;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;

/**
 * One replica: where its target is and how it applies. {@code apply.source()} is replaced by the
 * journal's UUID when the replica starts, so a replica's progress belongs to one journal's
 * history: a new journal is a new history, never mistaken for the old one.
 *
 * @param apply how it applies (name, conflicts, grouping, filter, DDL)
 * @param url the target's JDBC URL
 * @param properties extra connection properties (a password, kept out of logs); the dialect's driver
 *     settings are added to them on {@link #connect()}
 * @param source the source's identity, when known: every {@link #connect()} refuses a connection
 *     that reaches it (see {@link SameDatabaseGuard})
 * @param controls where it stops and how long it holds transactions back (docs/failover.md)
 */
public record ReplicaSpec(ApplyConfig apply, String url, Properties properties, Optional<DatabaseIdentity> source,
    ApplyControls controls) {
  public ReplicaSpec {
    properties = (Properties) properties.clone();
    controls = controls == null ? ApplyControls.NONE : controls;
  }

  public ReplicaSpec(ApplyConfig apply, String url, Properties properties, Optional<DatabaseIdentity> source) {
    this(apply, url, properties, source, ApplyControls.NONE);
  }

  public ReplicaSpec(ApplyConfig apply, String url, Properties properties) {
    this(apply, url, properties, Optional.empty());
  }

  /** The same replica with {@code newControls}. */
  public ReplicaSpec withControls(ApplyControls newControls) {
    return new ReplicaSpec(apply, url, properties, source, newControls);
  }

  public String name() {
    return apply.replicaName();
  }

  /** The replica's side, which starts its log lines and errors: {@code [replica NAME]}. */
  public Side side() {
    return apply.side();
  }

  /**
   * Connects to the target.
   *
   * @throws SQLException (SQLSTATE 55000) when the connection reached the source's database
   */
  public Connection connect() throws SQLException {
    Properties settings = (Properties) properties.clone();
    driverProperties().forEach(settings::putIfAbsent);
    Connection c = DriverManager.getConnection(url, settings);
    try {
      Dialect.of(c).markFerrySession(c); // a read-only replica's guards let Ferry write
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    if (source.isPresent()) {
      try {
        Optional<DatabaseIdentity> target = DatabaseIdentity.of(c);
        if (target.isPresent() && target.get().sameDatabaseAs(source.get())) {
          throw new SQLException(Side.replica(name()) + " its url reaches the source's database (" + target.get()
              + "); refusing to write to it: point the replica's url at another database", "55000");
        }
      } catch (SQLException | RuntimeException e) {
        c.close();
        throw e;
      }
    }
    return c;
  }

  /** What the target's dialect needs of the driver; none for a URL no dialect takes (the driver refuses it). */
  private Properties driverProperties() {
    try {
      return Dialect.forUrl(url).driverProperties();
    } catch (IllegalArgumentException e) {
      return new Properties();
    }
  }

  /** The same replica, refusing connections that reach {@code sourceIdentity}. */
  public ReplicaSpec notReaching(DatabaseIdentity sourceIdentity) {
    return new ReplicaSpec(apply, url, properties, Optional.of(sourceIdentity), controls);
  }

  /** Its apply settings with the progress keyed by {@code journalId}. */
  public ApplyConfig forJournal(String journalId) {
    ApplyConfig a = apply;
    return a.withSource(journalId);
  }
}
