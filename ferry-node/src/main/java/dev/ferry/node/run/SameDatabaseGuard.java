package dev.ferry.node.run;

import dev.ferry.apply.dialect.DatabaseIdentity;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.SideException;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a replica that is really the source, or another replica, before anything is created or
 * changed anywhere. The configuration compares URL text; this compares what the databases are
 * ({@link DatabaseIdentity}), so a replica reaching the source by another host name, port or
 * spelling of its name is refused too. SQLite files are identified without opening them (opening
 * would create a missing file). Stateless.
 */
public final class SameDatabaseGuard {
  private static final Logger log = LoggerFactory.getLogger(SameDatabaseGuard.class);

  /** What to do with a database that cannot be reached now. */
  public enum Unreachable {
    /** Fail: the command needs every database now ({@code setup}, {@code load}). */
    REFUSE,
    /** Log it; the replica's connections are checked when it connects ({@code run}, {@code apply}). */
    CHECK_LATER
  }

  private SameDatabaseGuard() {
  }

  /**
   * Checks the source against every replica in {@code names} (all when empty) and the replicas
   * against each other.
   *
   * @return {@code spec} whose replicas refuse, on every connection, to reach the source
   * @throws IOException naming both configuration entries when two are one database, or the
   *     database that cannot be reached when {@code unreachable} is {@link Unreachable#REFUSE}
   */
  public static NodeSpec check(NodeSpec spec, List<String> names, Unreachable unreachable) throws IOException {
    Optional<DatabaseIdentity> source = sourceIdentity(spec.source(), unreachable);
    List<Optional<DatabaseIdentity>> seen = new ArrayList<>();
    List<ReplicaSpec> guarded = new ArrayList<>();
    for (int i = 0; i < spec.replicas().size(); i++) {
      ReplicaSpec r = spec.replicas().get(i);
      Optional<DatabaseIdentity> id = names.isEmpty() || names.contains(r.name())
          ? replicaIdentity(i, r, unreachable) : Optional.empty();
      if (id.isPresent() && source.isPresent() && id.get().sameDatabaseAs(source.get())) {
        throw new IOException(entry(i, r) + " names the source's database (source.url): both reach " + id.get()
            + "; a replica must be another database. Nothing was changed");
      }
      for (int j = 0; j < seen.size(); j++) {
        if (id.isPresent() && seen.get(j).isPresent() && id.get().sameDatabaseAs(seen.get(j).get())) {
          throw new IOException(entry(i, r) + " names the same database as " + entry(j, spec.replicas().get(j))
              + ": both reach " + id.get() + ". Nothing was changed");
        }
      }
      seen.add(id);
      guarded.add(source.map(r::notReaching).orElse(r));
    }
    return new NodeSpec(spec.source(), spec.journal(), spec.archive(), guarded, spec.from(), spec.serve(), spec.push());
  }

  private static String entry(int index, ReplicaSpec r) {
    return "replicas[" + index + "].url (replica " + r.name() + ")";
  }

  private static Optional<DatabaseIdentity> sourceIdentity(SourceSpec source, Unreachable unreachable)
      throws IOException {
    try {
      return DatabaseIdentity.ofUrl(source.jdbcUrl(), new java.util.Properties());
    } catch (SQLException e) {
      if (unreachable == Unreachable.CHECK_LATER) {
        // The cause itself is reported once, by whatever uses the source next; here only its SQLSTATE.
        log.warn("{} cannot be reached (SQLSTATE {}) to check that no replica is the source, so this"
            + " process cannot check its replicas against it", Side.source(source.name()), e.getSQLState());
        return Optional.empty();
      }
      throw new SideException(Side.source(source.name()), "cannot connect (source.url): " + e.getMessage()
          + ". Nothing was changed", e);
    }
  }

  private static Optional<DatabaseIdentity> replicaIdentity(int index, ReplicaSpec r, Unreachable unreachable)
      throws IOException {
    try {
      return DatabaseIdentity.ofUrl(r.url(), r.properties());
    } catch (SQLException e) {
      if (unreachable == Unreachable.CHECK_LATER) {
        // The cause is reported once, by the replica's runner (reconnecting or failed); here only its SQLSTATE.
        log.warn("{} cannot be reached now (SQLSTATE {}); it is checked against the source when it connects",
            Side.replica(r.name()), e.getSQLState());
        return Optional.empty();
      }
      throw new SideException(Side.replica(r.name()), "cannot connect (" + entry(index, r) + "): "
          + e.getMessage() + ". Nothing was changed", e);
    }
  }
}
