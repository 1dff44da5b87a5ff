package dev.ferry.apply.jdbc;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ApplyException;
import dev.ferry.apply.LastApplied;
import dev.ferry.apply.ReplicaPosition;
import dev.ferry.apply.SchemaSequenceException;
import dev.ferry.journal.ChangeCursor;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.sql.SqlErrorKind;
import dev.ferry.sql.SqlErrorText;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a chunked journal transaction (one the journal could not hold in a record) in bounded
 * memory: alone in one target transaction with the progress row, read from its cursor, set-based
 * where it can be (see {@link LargeTransactionApply}). After a transient error it is rolled back
 * and read again from the journal; a set-based run that hits a constraint is replayed row by row.
 */
final class ChunkedApply {
  private static final Logger log = LoggerFactory.getLogger(ChunkedApply.class);

  private final ApplyConfig config;
  private final Side side;
  private final String prefix;
  private final InstantSource clock;
  private final ChangeWriter writer;
  private final LargeTransactionApply large;
  private final ProgressStore progress;
  private final TargetLink link;
  private final ConflictHandling conflicts;
  private final BooleanSupplier aborted;
  private final CopyWait copyWait;

  ChunkedApply(ApplyConfig config, InstantSource clock, ChangeWriter writer, ProgressStore progress, TargetLink link,
      ConflictHandling conflicts, BooleanSupplier aborted) {
    this.config = config;
    this.side = config.side();
    this.prefix = side + " ";
    this.clock = clock;
    this.writer = writer;
    this.large = new LargeTransactionApply(config, writer);
    this.progress = progress;
    this.link = link;
    this.conflicts = conflicts;
    this.aborted = aborted;
    this.copyWait = new CopyWait(side, clock);
  }

  /**
   * Applies {@code jtx}, recording {@code last} with it. Returns the position committed with it,
   * or empty if the target had applied it already.
   */
  Optional<ReplicaPosition> apply(JournalTransaction jtx, JournalPosition journalPosition, LastApplied last)
      throws ApplyException {
    Gtid gtid = jtx.gtid();
    RetryPolicy retry = new RetryPolicy(config.retry(), side);
    boolean setBased = true;
    while (true) {
      try {
        return once(jtx, journalPosition, last, setBased);
      } catch (TableCopyGate.CopyRunning copy) {
        link.rollbackQuietly();
        copyWait.await(copy);
      } catch (StagedRun.SetMismatch mismatch) {
        link.rollbackQuietly();
        log.info("{}{}: {}; replaying it row by row", prefix, gtid, mismatch.getMessage());
        setBased = false;
      } catch (SQLException e) {
        setBased = afterError(e, gtid, retry, setBased);
      } catch (StopApply stop) {
        link.rollbackQuietly();
        log.error("{}", stop.getMessage());
        throw conflicts.stopped(stop, gtid);
      } catch (SchemaSequenceException barrier) {
        link.rollbackQuietly();
        log.error("{}", barrier.getMessage());
        throw barrier;
      } catch (IOException e) {
        throw failed(gtid, "cannot read " + gtid + " from the journal at " + jtx.position() + ": " + e.getMessage(), e);
      } catch (RuntimeException bug) {
        log.error("{}cannot apply {}", prefix, gtid, bug);
        throw failed(gtid, "cannot apply " + gtid + ": " + bug, bug);
      }
    }
  }

  private Optional<ReplicaPosition> once(JournalTransaction jtx, JournalPosition journalPosition, LastApplied last,
      boolean setBased) throws SQLException, StopApply, SchemaSequenceException, IOException, StagedRun.SetMismatch {
    Gtid gtid = jtx.gtid();
    if (aborted.getAsBoolean()) {
      throw new SQLNonTransientConnectionException(prefix + "the applier was aborted");
    }
    Connection c = link.connection();
    GroupStart start = GroupStart.open(c, writer.dialect, progress, config.source(), true);
    ReplicaPosition at = start.position();
    Map<TableId, TableCopyGate.Mark> marks = start.marks();
    writer.resetBulkUsed();
    writer.discard();
    if (at.applied().contains(gtid)) {
      link.rollbackQuietly();
      return Optional.empty();
    }
    Transaction header = new Transaction(gtid, jtx.commitTime(), jtx.schemaSequence(), jtx.sourcePosition(),
        List.of());
    SchemaBarrier barrier = new SchemaBarrier(side, header, at.schemaSequence());
    List<ConflictRecord> resolved;
    try (ChangeCursor cursor = TableCopyGate.filter(jtx.changes(), jtx.sourcePosition(), marks)) {
      resolved = large.apply(header, cursor, setBased, barrier::see);
    }
    writer.steps.finish(c);
    ReplicaPosition after = new ReplicaPosition(config.source(), at.applied().add(gtid),
        Optional.of(journalPosition), OptionalLong.of(barrier.finish()), Optional.of(jtx.commitTime()));
    progress.write(c, after, Optional.of(last), clock.instant());
    c.commit();
    link.committed();
    conflicts.committed(resolved);
    log.info("{}applied the large transaction {} ({} changes{}) in one target transaction", prefix, gtid,
        jtx.changeCount(), setBased ? "" : ", row by row");
    return Optional.of(after);
  }

  /**
   * After an SQL error: returns whether the next attempt runs set-based (a constraint hit by a
   * set-based run is replayed row by row), or throws if no attempt may follow.
   */
  private boolean afterError(SQLException e, Gtid gtid, RetryPolicy retry, boolean setBased) throws ApplyException {
    link.rollbackQuietly();
    if (aborted.getAsBoolean()) {
      throw link.abortedWhile(Optional.of(gtid), e);
    }
    SqlErrorKind kind = writer.dialect.errors().classify(e);
    if (kind == SqlErrorKind.CONSTRAINT && setBased) {
      log.info("{}{}: a set-based run hit a constraint ({}); replaying it row by row", prefix, gtid,
          SqlErrorText.describe(e));
      return false;
    }
    if (!kind.isTransient() || !retry.mayRetry()) {
      ApplyException failure = RetryPolicy.giveUp(side, kind, writer.cannotApply(gtid, e, retry.attempt()), gtid, e);
      log.error("{}", failure.getMessage());
      throw failure;
    }
    log.warn("{}transient error, attempt {} of {}, retrying the large transaction {} in {} ms: {}", prefix,
        retry.attempt(), retry.maxAttempts(), gtid, retry.backoffMillis(), SqlErrorText.describe(e));
    retry.pause(kind, link, SqlErrorText.describe(e));
    return setBased;
  }

  private ApplyException failed(Gtid gtid, String what, Exception cause) {
    link.rollbackQuietly();
    ApplyException failure = new ApplyException(side, what, gtid, cause);
    log.error("{}", failure.getMessage());
    return failure;
  }
}
