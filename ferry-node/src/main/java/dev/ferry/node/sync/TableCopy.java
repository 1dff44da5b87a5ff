package dev.ferry.node.sync;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.jdbc.SeedTarget;
import dev.ferry.apply.sync.CopyOptions;
import dev.ferry.apply.sync.CopyResult;
import dev.ferry.apply.sync.InitialCopy;
import dev.ferry.apply.sync.SyncException;
import dev.ferry.capture.postgres.PostgresSetup;
import dev.ferry.capture.postgres.PostgresSnapshot;
import dev.ferry.capture.postgres.PostgresSnapshotReader;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.node.run.ReplicaSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies tables of a PostgreSQL source into replicas that stream meanwhile ({@code ferry table add}
 * and {@code ferry table resync}), with no change lost or applied twice.
 *
 * <ol>
 *   <li>Each replica's table is marked COPYING ({@code _ferry.table_copies}): its applier holds
 *       back every change to the table from then on.</li>
 *   <li>For an add, the table joins the publication: capture streams its changes from then on.</li>
 *   <li>{@link PostgresSnapshot#create}: a temporary slot exports a snapshot at position S.</li>
 *   <li>{@link InitialCopy#copy}: on each replica the table is created if missing, emptied and
 *       copied from the snapshot.</li>
 *   <li>The table is marked COPIED at S: the applier skips its changes of transactions before S
 *       (the copy holds them) and applies the later ones.</li>
 * </ol>
 *
 * <p>Stopped at any point, a replica keeps its COPYING mark and holds the table's changes back;
 * running the command again takes a new snapshot and copies again. Blocking; one thread.
 */
public final class TableCopy {
  private static final Logger log = LoggerFactory.getLogger(TableCopy.class);

  /** What one replica got. */
  public record Copied(String replica, List<TableId> tables, long rows, SourcePosition snapshot) {
  }

  /** One replica's part of a copy: its settings and the tables its filter accepts. */
  record Plan(ReplicaSpec replica, ApplyConfig config, List<TableId> tables) {
  }

  private TableCopy() {
  }

  /**
   * Copies {@code tables} into {@code replicas} (those a replica's filter accepts; a replica not
   * seeded yet is left to its initial sync), after adding them to the publication when
   * {@code publish}.
   *
   * @param say receives one line per replica skipped or copied
   * @throws IOException naming the replica or source; marks left COPYING are taken up by the next run
   */
  public static List<Copied> copy(PostgresSourceConfig source, List<TableId> tables, List<ReplicaSpec> replicas,
      Path journalDir, boolean publish, CopyOptions options, Consumer<String> say)
      throws IOException {
    String journalId = JournalInspector.journalId(journalDir).toString();
    List<Plan> plans = plan(tables, replicas, journalDir, journalId, say);
    for (Plan p : plans) {
      mark(p, (target, table) -> target.markCopying(table));
    }
    try {
      return copyAll(source, tables, plans, publish, options, say);
    } catch (IOException e) {
      throw new SyncException(e.getMessage() + "; replicas marked COPYING hold back the changes of " + tables
          + " until the same 'ferry table' command runs again and copies from a new snapshot", e);
    }
  }

  private static List<Copied> copyAll(PostgresSourceConfig source, List<TableId> tables, List<Plan> plans,
      boolean publish, CopyOptions options, Consumer<String> say) throws IOException {
    if (publish) {
      for (TableId table : tables) {
        PostgresSetup.publish(source, table);
      }
    }
    List<Copied> copied = new ArrayList<>();
    try (PostgresSnapshot snapshot = PostgresSnapshot.create(source)) {
      SourcePosition at = snapshot.position();
      log.info("{} copying {} from snapshot {} at {}", Side.source(source.name()), tables, snapshot.snapshotName(),
          snapshot.lsnText());
      for (Plan p : plans) {
        CopyResult result;
        try (PostgresSnapshotReader reader = snapshot.reader()) {
          result = InitialCopy.copy(CopySources.of(source, reader), p.tables(), p.config(), p.replica()::connect,
              options);
        } catch (SQLException e) {
          throw new SyncException(Side.replica(p.replica().name()), "cannot read the snapshot of source "
              + source.name() + ": " + e.getMessage(), e);
        }
        mark(p, (target, table) -> target.markCopied(table, at));
        copied.add(new Copied(p.replica().name(), p.tables(), result.rows(), at));
        say.accept("replica %s: copied %d rows of %s at source position %s; streaming applies the later changes"
            .formatted(p.replica().name(), result.rows(), p.tables(), snapshot.lsnText()));
      }
    }
    return copied;
  }

  static List<Plan> plan(List<TableId> tables, List<ReplicaSpec> replicas, Path journalDir, String journalId,
      Consumer<String> say) throws IOException {
    List<Plan> plans = new ArrayList<>();
    for (ReplicaSpec r : replicas) {
      if (InitialSync.needsSeed(r, journalDir)) {
        say.accept("replica %s: not seeded yet; its initial sync copies every published table".formatted(r.name()));
        continue;
      }
      ApplyConfig config = InitialSync.forJournal(r, journalId);
      List<TableId> accepted = tables.stream().filter(config.filter()::accepts).toList();
      if (accepted.size() < tables.size()) {
        say.accept("replica %s: its tables filter leaves out %s; not copied there".formatted(r.name(),
            tables.stream().filter(t -> !accepted.contains(t)).toList()));
      }
      if (!accepted.isEmpty()) {
        plans.add(new Plan(r, config, accepted));
      }
    }
    return plans;
  }

  interface Marking {
    void apply(SeedTarget target, TableId table) throws SQLException;
  }

  static void mark(Plan p, Marking marking) throws SyncException {
    try (Connection c = p.replica().connect()) {
      SeedTarget target = SeedTarget.on(c, p.config());
      for (TableId table : p.tables()) {
        marking.apply(target, table);
      }
    } catch (SQLException e) {
      throw new SyncException(Side.replica(p.replica().name()), "cannot mark " + p.tables() + " in its table of "
          + "copies: " + e.getMessage() + " (SQLSTATE " + e.getSQLState() + ")", e);
    }
  }
}
