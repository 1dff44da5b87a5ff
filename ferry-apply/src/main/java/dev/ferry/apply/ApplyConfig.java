package dev.ferry.apply;

import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.TableFilter;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A replica's settings, validated once when built. Immutable and thread-safe; no component is
 * null.
 *
 * @param replicaName names the replica in logs, errors and the {@code conflicts} table
 * @param source names the source journal (its UUID or source name); keys the progress row, so one
 *     target may hold replicas of several sources
 * @param conflictPolicy what to do on a conflict; default {@link ConflictPolicy#STOP}
 * @param grouping how many source transactions one target transaction may hold
 * @param filter which tables are applied; default all
 * @param skipDdl skip DDL the target cannot take instead of stopping (the schema sequence still
 *     advances); default false
 * @param retry how transient SQL errors are retried
 * @param readOnlyReplica make the target's tables read-only for everybody but Ferry (PostgreSQL: guard
 *     triggers and the database default; SQLite: guard triggers, see {@code SqliteReadOnly});
 *     default false
 * @param parallel how many target connections apply at once; default one (serial apply)
 */
public record ApplyConfig(String replicaName, String source, ConflictPolicy conflictPolicy, Grouping grouping,
    TableFilter filter, boolean skipDdl, Retry retry, boolean readOnlyReplica, Parallel parallel) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,100}");

  public ApplyConfig {
    if (replicaName == null || !NAME.matcher(replicaName).matches()) {
      throw new IllegalArgumentException("replicaName must be 1 to 100 of [A-Za-z0-9_.:-], got '" + replicaName + "'");
    }
    if (source == null || source.isEmpty() || source.length() > 200) {
      throw new IllegalArgumentException(Side.replica(replicaName) + " source must be 1 to 200 characters");
    }
    if (conflictPolicy == null || grouping == null || filter == null || retry == null || parallel == null) {
      throw new IllegalArgumentException(Side.replica(replicaName) + " conflictPolicy, grouping, filter, retry and parallel must not be null");
    }
  }

  /** Settings with the number of workers chosen from the target and the machine. */
  public ApplyConfig(String replicaName, String source, ConflictPolicy conflictPolicy, Grouping grouping,
      TableFilter filter, boolean skipDdl, Retry retry, boolean readOnlyReplica) {
    this(replicaName, source, conflictPolicy, grouping, filter, skipDdl, retry, readOnlyReplica, Parallel.CHOSEN);
  }

  /** The replica's side, which starts its log lines and errors: {@code [replica r1]}. */
  public Side side() {
    return Side.replica(replicaName);
  }

  /**
   * Defaults: policy stop, default grouping, all tables, DDL not skipped, default retry, the
   * number of workers chosen from the target and the machine.
   */
  public static ApplyConfig defaults(String replicaName, String source) {
    return new ApplyConfig(replicaName, source, ConflictPolicy.STOP, Grouping.DEFAULT, TableFilter.ALL, false,
        Retry.DEFAULT, false);
  }

  public ApplyConfig withConflictPolicy(ConflictPolicy policy) {
    return new ApplyConfig(replicaName, source, policy, grouping, filter, skipDdl, retry, readOnlyReplica, parallel);
  }

  public ApplyConfig withGrouping(Grouping value) {
    return new ApplyConfig(replicaName, source, conflictPolicy, value, filter, skipDdl, retry, readOnlyReplica, parallel);
  }

  public ApplyConfig withFilter(TableFilter value) {
    return new ApplyConfig(replicaName, source, conflictPolicy, grouping, value, skipDdl, retry, readOnlyReplica, parallel);
  }

  public ApplyConfig withSkipDdl(boolean value) {
    return new ApplyConfig(replicaName, source, conflictPolicy, grouping, filter, value, retry, readOnlyReplica, parallel);
  }

  public ApplyConfig withRetry(Retry value) {
    return new ApplyConfig(replicaName, source, conflictPolicy, grouping, filter, skipDdl, value, readOnlyReplica, parallel);
  }

  public ApplyConfig withReadOnlyReplica(boolean value) {
    return new ApplyConfig(replicaName, source, conflictPolicy, grouping, filter, skipDdl, retry, value, parallel);
  }

  public ApplyConfig withParallel(Parallel value) {
    return new ApplyConfig(replicaName, source, conflictPolicy, grouping, filter, skipDdl, retry, readOnlyReplica,
        value);
  }

  /** The same settings for the progress row of {@code journalSource} (the journal's UUID). */
  public ApplyConfig withSource(String journalSource) {
    return new ApplyConfig(replicaName, journalSource, conflictPolicy, grouping, filter, skipDdl, retry,
        readOnlyReplica, parallel);
  }

  /**
   * Parallel apply ({@code apply.workers} and {@code apply.commit-order} in {@code ferry.yaml}):
   * {@code workers} target connections apply transactions whose write sets are disjoint at once.
   * One worker is serial apply on one connection, as before.
   *
   * @param workers 1 to {@value #MAX_WORKERS}, or empty (the default, {@code apply.workers: auto}):
   *     chosen when the target is opened, from the target and the machine ({@code WorkerCount})
   * @param commitOrder whether a transaction commits only after every earlier one; default kept
   */
  public record Parallel(java.util.OptionalInt workers, CommitOrder commitOrder) {
    public static final int MAX_WORKERS = 64;
    public static final Parallel SERIAL = new Parallel(1);
    /** The default: the number of workers is chosen from the target and the machine, commit order kept. */
    public static final Parallel CHOSEN = new Parallel(java.util.OptionalInt.empty(), CommitOrder.KEPT);

    public Parallel {
      if (workers == null) {
        throw new IllegalArgumentException("apply.workers must not be null");
      }
      if (workers.isPresent() && (workers.getAsInt() < 1 || workers.getAsInt() > MAX_WORKERS)) {
        throw new IllegalArgumentException("apply.workers must be 1 to " + MAX_WORKERS + ", got " + workers.getAsInt());
      }
      if (commitOrder == null) {
        throw new IllegalArgumentException("apply.commit-order must not be null");
      }
    }

    /** {@code workers}, set, with {@code commitOrder}. */
    public Parallel(int workers, CommitOrder commitOrder) {
      this(java.util.OptionalInt.of(workers), commitOrder);
    }

    /** {@code workers}, set, with the commit order kept. */
    public Parallel(int workers) {
      this(workers, CommitOrder.KEPT);
    }
  }

  /** Whether parallel workers commit in journal order. */
  public enum CommitOrder {
    /** A transaction commits only after every earlier one: the replica only shows states the primary had. */
    KEPT,
    /**
     * Independent transactions commit as soon as they are done: the applied GTID set may have
     * holes (a low-water mark and transactions applied above it) until the earlier ones commit.
     */
    RELAXED
  }

  /**
   * Bounds of one target transaction. A group is committed as soon as one bound is reached; one
   * source transaction is never split, so a single large one may exceed {@code maxBytes}.
   *
   * @param maxTransactions source transactions per target transaction, 1 or more; default 1000 (a
   *     replica runner commits as soon as the journal runs dry, so only a backlog fills a group)
   * @param maxBytes approximate bytes of change data per target transaction, 1 or more; default
   *     8 MiB
   * @param maxDelay how long a group may stay open, positive; default 200 ms
   */
  public record Grouping(int maxTransactions, long maxBytes, Duration maxDelay) {
    public static final Grouping DEFAULT = new Grouping(1000, 8L << 20, Duration.ofMillis(200));
    /** One target transaction per source transaction. */
    public static final Grouping NONE = new Grouping(1, Long.MAX_VALUE, Duration.ofDays(1));

    public Grouping {
      if (maxTransactions < 1) {
        throw new IllegalArgumentException("grouping.maxTransactions must be >= 1, got " + maxTransactions);
      }
      if (maxBytes < 1) {
        throw new IllegalArgumentException("grouping.maxBytes must be >= 1, got " + maxBytes);
      }
      if (maxDelay == null || maxDelay.isNegative() || maxDelay.isZero()) {
        throw new IllegalArgumentException("grouping.maxDelay must be positive, got " + maxDelay);
      }
    }
  }

  /**
   * Retries of transient SQL errors (serialization failure, deadlock, lost connection): waits
   * {@code initialBackoff}, doubling up to {@code maxBackoff}, at most {@code maxAttempts} times.
   *
   * @param maxAttempts attempts per group, 1 or more; default 10
   * @param initialBackoff first wait, not negative; default 100 ms
   * @param maxBackoff longest wait, not below {@code initialBackoff}; default 5 s
   */
  public record Retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    public static final Retry DEFAULT = new Retry(10, Duration.ofMillis(100), Duration.ofSeconds(5));

    public Retry {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("retry.maxAttempts must be >= 1, got " + maxAttempts);
      }
      if (initialBackoff == null || initialBackoff.isNegative()) {
        throw new IllegalArgumentException("retry.initialBackoff must not be negative, got " + initialBackoff);
      }
      if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("retry.maxBackoff must be >= initialBackoff, got " + maxBackoff);
      }
    }
  }
}
