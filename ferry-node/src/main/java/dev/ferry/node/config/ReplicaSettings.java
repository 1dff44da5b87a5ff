package dev.ferry.node.config;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ConflictPolicy;
import dev.ferry.journal.TableFilter;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of {@code replicas:}: a target database the journal is applied to. Immutable; no
 * component is null. {@link #toString()} redacts the password and any credential in the URL.
 *
 * @param name the replica's name in logs ({@code [replica <name>]}), unique; key {@code name}, required
 * @param url the target database; key {@code url}, required
 * @param password the password, given apart from the URL; key {@code password}
 * @param mode whether others may write to the target; key {@code mode}, default read-only
 * @param conflicts what to do on a conflict; key {@code conflicts}, default stop
 * @param tables which tables are applied; key {@code tables}, default all
 * @param skipDdl skip DDL the target cannot take instead of stopping; key {@code skip-ddl}, default false
 * @param grouping bounds of one target transaction; key {@code grouping}, default 100 / 8 MiB / 200 ms
 */
public record ReplicaSettings(String name, JdbcUrl url, Optional<Secret> password, Mode mode,
    ConflictPolicy conflicts, Tables tables, boolean skipDdl, ApplyConfig.Grouping grouping) {

  /** Whether Ferry is the only writer of the target. */
  public enum Mode {
    /** Only Ferry writes to the target (enforced on PostgreSQL). */
    READ_ONLY,
    /** Others may write to the target too; their changes may conflict with replicated ones. */
    READ_WRITE
  }

  public ReplicaSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(conflicts, "conflicts");
    Objects.requireNonNull(tables, "tables");
    Objects.requireNonNull(grouping, "grouping");
  }

  /** The apply module's settings for this replica of the source named {@code sourceName}. */
  public ApplyConfig toApplyConfig(String sourceName) {
    return ApplyConfig.defaults(name, sourceName)
        .withConflictPolicy(conflicts)
        .withGrouping(grouping)
        .withFilter(new TableFilter(tables.include(), tables.exclude()))
        .withSkipDdl(skipDdl)
        .withReadOnlyReplica(mode == Mode.READ_ONLY);
  }
}
