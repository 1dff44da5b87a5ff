package dev.ferry.node.run;

import dev.ferry.apply.sync.CopyProgress;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.transport.LinkStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.databind.annotation.JsonSerialize;

/**
 * A snapshot of what a node is doing, as {@code ferry status} shows it; {@link StatusJson} writes
 * and reads it as the JSON documented in {@code docs/cli.md}, keys in the order of the record
 * components. Immutable.
 *
 * @param time when the snapshot was taken
 * @param source the source side, if this process captures
 * @param journal the journal's head
 * @param replicas every replica this process applies
 * @param links on a replica node, each transport delivering its journal copy
 * @param operations long operations other processes of this node run ({@code ferry export},
 *     {@code ferry load}, {@code ferry table add|resync}), as they publish them while they run
 */
public record NodeStatus(Instant time, Optional<Source> source, Journal journal, List<Replica> replicas,
    List<LinkStatus> links, List<Operation> operations) {
  public NodeStatus {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(journal, "journal");
    source = Objects.requireNonNullElse(source, Optional.empty());
    replicas = replicas == null ? List.of() : List.copyOf(replicas);
    links = links == null ? List.of() : List.copyOf(links);
    operations = operations == null ? List.of() : List.copyOf(operations);
  }

  /** A node no other process runs an operation beside. */
  public NodeStatus(Instant time, Optional<Source> source, Journal journal, List<Replica> replicas,
      List<LinkStatus> links) {
    this(time, source, journal, replicas, links, List.of());
  }

  /** This status with {@code running}, the operations other processes publish, instead of its own. */
  public NodeStatus withOperations(List<Operation> running) {
    return new NodeStatus(time, source, journal, replicas, links, running);
  }

  /** A node with no link: it captures into its own journal, or applies one on its own disk. */
  public NodeStatus(Instant time, Optional<Source> source, Journal journal, List<Replica> replicas) {
    this(time, source, journal, replicas, List.of());
  }

  /** Capture or a replica stopped on an error a person must fix. */
  public boolean anyFailed() {
    return source.map(s -> s.state() == SourceState.FAILED).orElse(false)
        || replicas.stream().anyMatch(r -> r.state() == ReplicaState.FAILED);
  }

  /**
   * @param name the source's name
   * @param kind {@code postgresql} or {@code sqlite}
   * @param state what capture is doing
   * @param position the source position confirmed durable (PostgreSQL: the slot's LSN), if known
   * @param captured transactions captured by this process
   * @param lastError what stopped capture
   * @param retainedWalBytes PostgreSQL: WAL the source keeps for Ferry's slot
   *     ({@code pg_current_wal_lsn() - restart_lsn}), if read
   */
  public record Source(String name, String kind, SourceState state, Optional<String> position, long captured,
      Optional<String> lastError, Optional<Long> retainedWalBytes) {
    public Source {
      position = Objects.requireNonNullElse(position, Optional.empty());
      lastError = Objects.requireNonNullElse(lastError, Optional.empty());
      retainedWalBytes = Objects.requireNonNullElse(retainedWalBytes, Optional.empty());
    }

    /** Seen by a process that is gone: stopped, unless it had failed. */
    public Source stopped() {
      SourceState now = state == SourceState.FAILED ? SourceState.FAILED : SourceState.STOPPED;
      return new Source(name, kind, now, position, captured, lastError, retainedWalBytes);
    }

    public Source withRetainedWalBytes(Optional<Long> bytes) {
      return new Source(name, kind, state, position, captured, lastError, bytes);
    }
  }

  /**
   * @param dir the journal directory
   * @param id its UUID; empty when the journal is not created yet
   * @param lastGtid the newest durable transaction, if known
   * @param lastCommitTime its source commit time
   * @param newestByDomain the newest durable transaction of each GTID domain, by domain
   * @param consumers every consumer of the journal (its replicas, the nodes it is served or pushed
   *     to) with the position it acknowledged, by name: purge keeps what the lowest still needs
   */
  public record Journal(String dir, String id, Optional<Gtid> lastGtid, Optional<Instant> lastCommitTime,
      List<Gtid> newestByDomain, List<Consumer> consumers) {
    public Journal {
      lastGtid = Objects.requireNonNullElse(lastGtid, Optional.empty());
      lastCommitTime = Objects.requireNonNullElse(lastCommitTime, Optional.empty());
      newestByDomain = Gtids.newestByDomain(newestByDomain == null || newestByDomain.isEmpty()
          ? lastGtid.stream().toList() : newestByDomain);
      consumers = consumers == null ? List.of() : List.copyOf(consumers);
    }

    public Journal(String dir, String id, Optional<Gtid> lastGtid, Optional<Instant> lastCommitTime,
        List<Gtid> newestByDomain) {
      this(dir, id, lastGtid, lastCommitTime, newestByDomain, List.of());
    }

    /** A journal with one GTID domain, or whose other domains are not known. */
    public Journal(String dir, String id, Optional<Gtid> lastGtid, Optional<Instant> lastCommitTime) {
      this(dir, id, lastGtid, lastCommitTime, List.of());
    }

    /** This journal with its consumers as its directory records them (none when it cannot be read). */
    public Journal withConsumersOf(Path directory) {
      List<Consumer> read;
      try {
        read = dev.ferry.journal.Journal.consumers(directory).entrySet().stream()
            .map(e -> new Consumer(e.getKey(), e.getValue())).toList();
      } catch (IOException | RuntimeException e) {
        read = List.of();
      }
      return new Journal(dir, id, lastGtid, lastCommitTime, newestByDomain, read);
    }
  }

  /**
   * A consumer of the journal and the position it acknowledged.
   *
   * @param name a replica's name, {@code http.<node>} or {@code push.<name>}
   * @param position everything before it is consumed
   */
  public record Consumer(String name, JournalPosition position) {}

  /**
   * How far a replica is behind the journal's head.
   *
   * @param transactions transactions in the journal not yet applied, summed over the domains
   * @param bytes journal bytes not yet applied ({@code -1} when the journal could not be read)
   * @param seconds source commit time of the journal's head minus that of the last applied;
   *     written with three decimals
   * @param domains the transactions behind per GTID domain, by domain
   * @param catchUp while the replica is behind, how fast it closes the gap (from the process
   *     that applies it); empty when it is not behind or the rates are not measured yet
   */
  public record Lag(long transactions, long bytes,
      @JsonSerialize(using = StatusJson.Seconds.class) double seconds, List<DomainLag> domains,
      Optional<CatchUp> catchUp) {
    public static final Lag NONE = new Lag(0, 0, 0);

    public Lag {
      domains = domains == null ? List.of() : List.copyOf(domains);
      catchUp = Objects.requireNonNullElse(catchUp, Optional.empty());
    }

    public Lag(long transactions, long bytes, double seconds, List<DomainLag> domains) {
      this(transactions, bytes, seconds, domains, Optional.empty());
    }

    public Lag(long transactions, long bytes, double seconds) {
      this(transactions, bytes, seconds, List.of());
    }

    /** This lag with {@code estimate}, kept only while the replica is behind. */
    public Lag withCatchUp(Optional<CatchUp> estimate) {
      return new Lag(transactions, bytes, seconds, domains, transactions > 0 ? estimate : Optional.empty());
    }
  }

  /**
   * How fast a replica that is behind closes the gap, from the rates over the last ten seconds
   * ({@link CatchUpEstimator}).
   *
   * @param applyRate transactions the replica applied per second
   * @param incomingRate transactions the journal gained per second
   * @param etaSeconds seconds until it is caught up at those rates (the lag in transactions over
   *     their difference); empty when it does not gain (applying no faster than they come)
   */
  public record CatchUp(double applyRate, double incomingRate, Optional<Long> etaSeconds) {
    public CatchUp {
      etaSeconds = Objects.requireNonNullElse(etaSeconds, Optional.empty());
    }
  }

  /**
   * How far a replica is behind in one GTID domain (each source writes its own domain).
   *
   * @param domain the GTID domain
   * @param transactions the newest sequence number of the domain in the journal minus the newest
   *     the replica applied (0 when none was)
   */
  public record DomainLag(long domain, long transactions) {}

  /**
   * @param name the replica's name
   * @param state what the replica is doing
   * @param appliedGtid the newest GTID the replica committed, if known
   * @param lag how far it is behind the journal's head
   * @param applied transactions applied by this process
   * @param lastError what stopped the replica, or (while {@code reconnecting} or {@code retrying}) the last outage or transient error
   * @param position the journal position after the last applied transaction, if known
   * @param appliedCommitTime source commit time of the last applied transaction, if known
   * @param nextTry when a {@code reconnecting} or {@code retrying} replica tries again
   * @param appliedByDomain the newest transaction the replica committed in each GTID domain, by domain
   * @param appliedSet every GTID the replica committed, as far as known: per domain a low-water mark
   *     and, after parallel apply with a relaxed commit order, the GTIDs above it (what is missing
   *     between them are the holes); empty if not known
   * @param workers how many target connections apply at once, and in which commit order; empty
   *     until the replica has opened its target
   * @param progress how far the long operation the replica is in (its initial sync) got; empty
   *     when in none
   */
  public record Replica(String name, ReplicaState state, Optional<Gtid> appliedGtid, Lag lag, long applied,
      Optional<String> lastError, Optional<JournalPosition> position, Optional<Instant> appliedCommitTime,
      Optional<Instant> nextTry, List<Gtid> appliedByDomain, GtidSet appliedSet, Optional<Workers> workers,
      Optional<Progress> progress) {
    public Replica {
      workers = Objects.requireNonNullElse(workers, Optional.empty());
      progress = Objects.requireNonNullElse(progress, Optional.empty());
      appliedSet = Objects.requireNonNullElse(appliedSet, GtidSet.empty());
      appliedGtid = Objects.requireNonNullElse(appliedGtid, Optional.empty());
      appliedByDomain = Gtids.newestByDomain(appliedByDomain == null || appliedByDomain.isEmpty()
          ? appliedGtid.stream().toList() : appliedByDomain);
      lag = Objects.requireNonNullElse(lag, Lag.NONE);
      lastError = Objects.requireNonNullElse(lastError, Optional.empty());
      position = Objects.requireNonNullElse(position, Optional.empty());
      appliedCommitTime = Objects.requireNonNullElse(appliedCommitTime, Optional.empty());
      nextTry = Objects.requireNonNullElse(nextTry, Optional.empty());
    }

    /** A replica whose workers are not known. */
    public Replica(String name, ReplicaState state, Optional<Gtid> appliedGtid, Lag lag, long applied,
        Optional<String> lastError, Optional<JournalPosition> position, Optional<Instant> appliedCommitTime,
        Optional<Instant> nextTry, List<Gtid> appliedByDomain, GtidSet appliedSet) {
      this(name, state, appliedGtid, lag, applied, lastError, position, appliedCommitTime, nextTry, appliedByDomain,
          appliedSet, Optional.empty(), Optional.empty());
    }

    /** A replica whose applied set is not known. */
    public Replica(String name, ReplicaState state, Optional<Gtid> appliedGtid, Lag lag, long applied,
        Optional<String> lastError, Optional<JournalPosition> position, Optional<Instant> appliedCommitTime,
        Optional<Instant> nextTry, List<Gtid> appliedByDomain) {
      this(name, state, appliedGtid, lag, applied, lastError, position, appliedCommitTime, nextTry, appliedByDomain,
          GtidSet.empty());
    }

    /** A replica whose progress is known in one GTID domain (or not at all). */
    public Replica(String name, ReplicaState state, Optional<Gtid> appliedGtid, Lag lag, long applied,
        Optional<String> lastError, Optional<JournalPosition> position, Optional<Instant> appliedCommitTime,
        Optional<Instant> nextTry) {
      this(name, state, appliedGtid, lag, applied, lastError, position, appliedCommitTime, nextTry, List.of());
    }

    /** Seen by a process that is gone: stopped, unless it had failed. */
    public Replica stopped() {
      ReplicaState now = state == ReplicaState.FAILED ? ReplicaState.FAILED : ReplicaState.STOPPED;
      // No process applies it: it gains nothing, whatever rate the last one measured.
      return new Replica(name, now, appliedGtid, lag.withCatchUp(Optional.empty()), applied, lastError, position, appliedCommitTime, nextTry,
          appliedByDomain, appliedSet, workers, progress);
    }

    /**
     * This replica as its last process saw it, with the progress {@code row}, read from its target
     * since, holds (the process may have committed more than it published before it died, and
     * {@code ferry skip} or another process may have applied since). A replica that had failed and
     * whose row has moved past where it failed is no longer failed: stopped, saying what it was.
     */
    public Replica withProgressOf(Replica row) {
      boolean movedPast = state == ReplicaState.FAILED && !row.appliedSet.equals(appliedSet);
      ReplicaState now = movedPast ? ReplicaState.STOPPED : state;
      Optional<String> why = movedPast ? lastError.map(e -> "was failed: " + e
          + "; its progress row has moved past that since (ferry skip, or another process applied)") : lastError;
      return new Replica(name, now, row.appliedGtid, lag, applied, why, row.position, row.appliedCommitTime, nextTry,
          row.appliedByDomain, row.appliedSet, workers, Optional.empty());
    }

    public Replica withLag(Lag newLag) {
      return new Replica(name, state, appliedGtid, newLag, applied, lastError, position, appliedCommitTime, nextTry,
          appliedByDomain, appliedSet, workers, progress);
    }
  }

  /**
   * How a replica applies: {@code apply.workers} as chosen when it opened its target.
   *
   * @param count target connections applying transactions at once
   * @param commitOrder {@code kept} (journal order) or {@code relaxed} (apply.commit-order)
   */
  public record Workers(int count, String commitOrder) {}

  /**
   * How far a long operation got: a replica's initial sync (rows copied from the snapshot of the
   * estimate the source's statistics give), an export, a load, a table added or copied again.
   *
   * @param operation {@code initial sync}, {@code export}, {@code load}, {@code table add} or
   *     {@code table resync}
   * @param tablesDone tables copied completely
   * @param tables tables to copy
   * @param rows rows copied so far (an export and a load count a table's rows when it is done)
   * @param estimatedRows rows in all, at least {@code rows}: the source's estimate (a copy from a
   *     snapshot), the archive's count (a load); {@code rows} when not known (an export)
   * @param rowsPerSecond rows copied per second since it started
   * @param elapsedSeconds seconds since it started
   * @param etaSeconds seconds left at that rate; empty when there is no estimate or no rate yet
   * @param bytes the bytes written or read, where the operation counts them (an export, a load)
   */
  public record Progress(String operation, int tablesDone, int tables, long rows, long estimatedRows,
      long rowsPerSecond, long elapsedSeconds, Optional<Long> etaSeconds, Optional<Bytes> bytes) {
    public Progress {
      etaSeconds = Objects.requireNonNullElse(etaSeconds, Optional.empty());
      bytes = Objects.requireNonNullElse(bytes, Optional.empty());
    }

    /** Progress that counts no bytes. */
    public Progress(String operation, int tablesDone, int tables, long rows, long estimatedRows,
        long rowsPerSecond, long elapsedSeconds, Optional<Long> etaSeconds) {
      this(operation, tablesDone, tables, rows, estimatedRows, rowsPerSecond, elapsedSeconds, etaSeconds,
          Optional.empty());
    }

    /** The figures of a copy, export or load now, as {@code operation}. */
    public static Progress of(String operation, CopyProgress.Snapshot s) {
      Optional<Bytes> bytes = s.bytes() == 0 && s.estimatedBytes() == 0 ? Optional.empty()
          : Optional.of(new Bytes(s.bytes(), s.estimatedBytes() == 0 ? Optional.empty() : Optional.of(s.estimatedBytes()),
              Math.round(s.bytesPerSecond())));
      return new Progress(operation, s.tablesDone(), s.tables(), s.rows(), s.estimatedRows(),
          Math.round(s.rowsPerSecond()), s.elapsedSeconds(),
          s.etaSeconds().isPresent() ? Optional.of(s.etaSeconds().getAsLong()) : Optional.empty(), bytes);
    }
  }

  /**
   * The bytes of a long operation.
   *
   * @param done bytes written (an export's files) or read (a load's) so far
   * @param total bytes in all, when known (a load: the archive's files)
   * @param perSecond bytes per second since it started
   */
  public record Bytes(long done, Optional<Long> total, long perSecond) {
    public Bytes {
      total = Objects.requireNonNullElse(total, Optional.empty());
    }
  }

  /**
   * A long operation a command other than the node's own process runs, as it publishes itself.
   *
   * @param subject what it works on: the archive directory, the replica, the tables
   * @param pid the process that runs it
   * @param started when it started
   * @param progress how far it got (zero tables until its copy starts)
   */
  public record Operation(String subject, long pid, Instant started, Progress progress) {
    public Operation {
      Objects.requireNonNull(progress, "progress");
    }
  }
}
