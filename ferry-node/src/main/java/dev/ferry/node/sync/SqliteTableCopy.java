package dev.ferry.node.sync;

import dev.ferry.apply.sync.CopyOptions;
import dev.ferry.apply.sync.CopyResult;
import dev.ferry.apply.sync.RowCopy;
import dev.ferry.apply.sync.SyncException;
import dev.ferry.capture.trigger.SqliteSetup;
import dev.ferry.capture.trigger.SqliteSnapshot;
import dev.ferry.capture.trigger.SqliteSourceConfig;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.snapshot.SourceTable;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.node.run.TableCopies;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies tables of a SQLite source into replicas that stream meanwhile ({@code ferry table add}
 * and {@code ferry table resync}), with no change lost or applied twice: {@link TableCopy}'s
 * procedure, with the SQLite source's capture triggers and snapshot.
 *
 * <ol>
 *   <li>Each replica's table is marked COPYING: its applier holds back every change to the table.</li>
 *   <li>For an add, the table's capture triggers are installed ({@link SqliteSetup#addTable}): its
 *       changes reach the change table from then on, and the running capture takes it up at its
 *       next poll (a schema change).</li>
 *   <li>{@link SqliteSnapshot#create}: one read transaction of the source sees the change table up
 *       to id {@code M} and the table's rows as they were then, taken where a poll of capture ends
 *       (so no journal transaction holds changes from both sides of {@code M}).</li>
 *   <li>{@link RowCopy#copy}: on each replica the table is created if missing, emptied and filled
 *       from that read transaction.</li>
 *   <li>The table is marked COPIED at {@code change-id:M+1}: the applier skips its changes in
 *       journal transactions ending at or before {@code M} (the copy holds them) and applies the
 *       later ones.</li>
 * </ol>
 *
 * <p>Capture must be running (in {@code ferry run} or {@code ferry capture}): the snapshot waits
 * until it has journaled change {@code M}. Stopped at any point, a replica keeps its COPYING mark
 * and holds the table's changes back; running the command again copies from a new snapshot.
 * Blocking; one thread.
 */
public final class SqliteTableCopy implements TableCopies {
  private static final Logger log = LoggerFactory.getLogger(SqliteTableCopy.class);
  /** How long the snapshot waits for capture to journal the change table up to it. */
  private static final Duration JOURNAL_WAIT = InitialSync.Options.DEFAULTS.journalWait();

  private final SqliteSourceConfig source;

  public SqliteTableCopy(SqliteSourceConfig source) {
    this.source = source;
  }

  /** Whether the table has capture triggers, after checking it exists in {@code main} and can carry them. */
  @Override
  public boolean captures(TableId table) throws IOException {
    return SqliteSetup.checkAddable(source, table);
  }

  @Override
  public String capturedBy() {
    return "_ferry_tables of source " + source.name() + " (the tables with capture triggers)";
  }

  @Override
  public String defaultSchema() {
    return "main";
  }

  /**
   * Copies {@code tables} into {@code replicas} (those a replica's filter accepts; a replica not
   * seeded yet is left to its initial sync), after installing their capture triggers when
   * {@code add}. Refuses, before it changes anything, when no capture holds {@code journalDir}.
   *
   * @throws IOException naming the replica or source; marks left COPYING are taken up by the next run
   */
  @Override
  public void copy(List<TableId> tables, List<ReplicaSpec> replicas, Path journalDir, boolean add,
      CopyOptions options, Consumer<String> say) throws IOException {
    if (!Journal.inUse(journalDir.toAbsolutePath())) {
      throw new SyncException(Side.source(source.name()), "capture is not running (no 'ferry run' or 'ferry "
          + "capture' holds journal " + journalDir.toAbsolutePath() + "), and a copy from a SQLite source needs it: "
          + "the snapshot waits until capture has journaled the change table up to it. Start it, then run this "
          + "again; nothing was changed");
    }
    try {
      copy(tables, replicas, journalDir, add, new InitialSync.Options(options, JOURNAL_WAIT), say);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SyncException(Side.source(source.name()), "the copy of " + tables + " was interrupted; replicas "
          + "marked COPYING hold its changes back until the same command runs again", e);
    }
  }

  private List<TableCopy.Copied> copy(List<TableId> tables, List<ReplicaSpec> replicas, Path journalDir,
      boolean capture, InitialSync.Options options, Consumer<String> say) throws IOException, InterruptedException {
    String journalId = JournalInspector.journalId(journalDir).toString();
    List<TableCopy.Plan> plans = TableCopy.plan(tables, replicas, journalDir, journalId, say);
    for (TableCopy.Plan p : plans) {
      TableCopy.mark(p, (target, table) -> target.markCopying(table));
    }
    try {
      if (capture) {
        for (TableId table : tables) {
          if (SqliteSetup.addTable(source, table)) {
            say.accept("table %s: capture triggers installed; capture takes it up at its next poll".formatted(table));
          }
        }
      }
      return plans.isEmpty() ? List.of() : copyAll(source, tables, plans, journalDir, journalId, options, say);
    } catch (IOException e) {
      throw new SyncException(e.getMessage() + "; replicas marked COPYING hold back the changes of " + tables
          + " until the same 'ferry table' command runs again and copies from a new snapshot", e);
    }
  }

  private static List<TableCopy.Copied> copyAll(SqliteSourceConfig source, List<TableId> tables,
      List<TableCopy.Plan> plans, Path journalDir, String journalId, InitialSync.Options options, Consumer<String> say)
      throws IOException, InterruptedException {
    Set<String> names = tables.stream().map(TableId::name).collect(Collectors.toSet());
    String prefix = source.side() + " ";
    List<TableCopy.Copied> copied = new ArrayList<>();
    try (SqliteSnapshot snapshot = SqliteSnapshot.create(source, options.journalWait(), (at, wait) ->
        HandOver.find(journalDir, journalId, new HandOver.ChangeId(at), wait, prefix), names::contains)) {
      // Journal transactions end where polls end, and one ended at M: those at or before M are in the copy.
      SourcePosition after = SourcePosition.changeId(snapshot.position().value() + 1);
      List<SourceTable> described = snapshot.tables();
      List<TableId> missing = tables.stream()
          .filter(t -> described.stream().noneMatch(d -> d.id().name().equals(t.name()))).toList();
      if (!missing.isEmpty()) {
        throw new SyncException(Side.source(source.name()), "tables " + missing + " are not captured (no capture "
            + "triggers in " + source.jdbcUrl() + "): add them with 'ferry table add'");
      }
      log.info("{}copying {} from the snapshot at {}", prefix, tables, snapshot.position());
      for (TableCopy.Plan p : plans) {
        List<SourceTable> mine = described.stream()
            .filter(d -> p.tables().stream().anyMatch(t -> t.name().equals(d.id().name()))).toList();
        CopyResult result = RowCopy.copy(mine, snapshot, p.config(), p.replica()::connect, options.copy());
        TableCopy.mark(p, (target, table) -> target.markCopied(table, after));
        copied.add(new TableCopy.Copied(p.replica().name(), p.tables(), result.rows(), after));
        say.accept("replica %s: copied %d rows of %s at source position %s; streaming applies the later changes"
            .formatted(p.replica().name(), result.rows(), p.tables(), snapshot.position()));
      }
    } catch (SQLException e) {
      throw new SyncException(Side.source(source.name()), "cannot end the snapshot: " + e.getMessage(), e);
    }
    return copied;
  }
}
