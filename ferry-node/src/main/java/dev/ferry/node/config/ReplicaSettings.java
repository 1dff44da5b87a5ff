package dev.ferry.node.config;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.node.run.ApplyControls;
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
 * @param apply the apply module's settings, built by the reader from {@code conflicts} (default
 *     stop), {@code tables} (default all), {@code skip-ddl} (default false), {@code grouping}
 *     (default 100 / 8 MiB / 200 ms) and {@code mode}; defaults are the apply module's own
 * @param controls keys {@code until} and {@code delay} (docs/failover.md), default none
 */
public record ReplicaSettings(String name, JdbcUrl url, Optional<Secret> password, Mode mode, ApplyConfig apply,
    ApplyControls controls) {

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
    Objects.requireNonNull(apply, "apply");
    Objects.requireNonNull(controls, "controls");
  }

  public ReplicaSettings(String name, JdbcUrl url, Optional<Secret> password, Mode mode, ApplyConfig apply) {
    this(name, url, password, mode, apply, ApplyControls.NONE);
  }
}
