package dev.ferry.apply.sync;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.dialect.TypeFamily;
import dev.ferry.apply.jdbc.SeedTarget;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.snapshot.RowReader;
import dev.ferry.journal.snapshot.SnapshotInterruptedException;
import dev.ferry.journal.snapshot.SourceSequence;
import dev.ferry.journal.snapshot.SourceTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a snapshot read as rows of journal values ({@link RowReader}: a SQLite or MariaDB source's) into a target
 * of any kind, with the source's standalone sequences (a MariaDB source's) at their snapshot value. Tables missing on the target are created with
 * the primary key: a SQLite source's declared types kept on SQLite and mapped elsewhere, a MariaDB
 * source's kept on MariaDB and mapped elsewhere ({@link SourceTypes}), every copied table is emptied first (a copy
 * killed midway is simply done again), and each value is bound exactly as the applier binds it, so
 * a seeded row equals a streamed one. One transaction per table.
 *
 * <p>The copy writes no progress row; the caller records the replica's position once it returned.
 * Blocking, on the caller's thread; an interrupt (the node stopping) ends it at the next row, the
 * table in hand rolled back.
 */
public final class RowCopy {
  private static final Logger log = LoggerFactory.getLogger(RowCopy.class);
  private static final int BATCH = 1000;

  private RowCopy() {
  }

  /**
   * Copies {@code tables} (those the replica's filter accepts) from {@code rows} into the target.
   *
   * @param tables the source's tables, column types as declared there, {@code estimatedRows} their
   *     row counts (for the progress line)
   * @throws SyncException naming the replica and the database's error; the target then holds a
   *     partial copy that a new seed replaces
   */
  public static CopyResult copy(List<SourceTable> tables, RowReader rows, ApplyConfig replica, ConnectionSource target,
      CopyOptions options) throws SyncException {
    return copy(tables, List.of(), TypeFamily.SQLITE, rows, replica, target, options);
  }

  /**
   * As {@link #copy(List, RowReader, ApplyConfig, ConnectionSource, CopyOptions)}, with the
   * source's standalone {@code sequences} (a MariaDB source's {@code SEQUENCE}s, those the replica's
   * filter accepts) carried along before the tables: see {@link TargetTables#ensureSequences}; the
   * tables' column types are spelled by {@code types} ({@link TypeFamily#MARIADB} for a MariaDB source:
   * a missing table gets them on MariaDB and their mapping elsewhere).
   */
  public static CopyResult copy(List<SourceTable> tables, List<SourceSequence> sequences, TypeFamily types,
      RowReader rows, ApplyConfig replica, ConnectionSource target, CopyOptions options) throws SyncException {
    Side side = replica.side();
    String prefix = side + " ";
    long started = System.nanoTime();
    List<SourceTable> selected = tables.stream().filter(t -> replica.filter().accepts(t.id())).toList();
    Map<TableId, Long> counts = new LinkedHashMap<>();
    try (Connection c = target.connect()) {
      SeedTarget t = SeedTarget.on(c, replica);
      t.beginWrite();
      TargetTables.ensureSequences(t, sequences.stream().filter(q -> replica.filter().accepts(q.sequence())).toList(),
          prefix);
      for (SourceTable table : selected) {
        TargetTables.ensure(t, table, SourceTypes.of(types), prefix);
      }
      TargetTables.truncate(t, selected);
      c.commit();
      long estimate = selected.stream().mapToLong(SourceTable::estimatedRows).sum();
      log.info("{}copying {} tables ({} rows) from the snapshot", prefix, selected.size(), estimate);
      try (ProgressLine progress = new ProgressLine(options, prefix, estimate, selected.size())) {
        for (SourceTable table : selected) {
          counts.put(table.id(), copyTable(rows, t, table, progress));
          c.commit();
          progress.tableDone();
        }
      }
    } catch (SnapshotInterruptedException e) {
      throw new SyncException(side, "initial sync interrupted: the node is stopping; the next start copies again",
          e);
    } catch (SQLException e) {
      if (Thread.currentThread().isInterrupted()) {
        throw new SyncException(side, "initial sync interrupted: the node is stopping; the next start copies again",
            e);
      }
      throw new SyncException(side, "initial sync failed: " + e.getMessage() + " (SQLSTATE " + e.getSQLState()
          + ")", e);
    }
    CopyResult result = new CopyResult(counts, Duration.ofNanos(System.nanoTime() - started));
    log.info("{}copied {} rows of {} tables in {} ms ({} rows/s)", prefix, result.rows(), counts.size(),
        result.elapsed().toMillis(), Math.round(result.rowsPerSecond()));
    return result;
  }

  private static long copyTable(RowReader rows, SeedTarget t, SourceTable table, ProgressLine progress)
      throws SQLException {
    List<Column> columns = table.columns().stream().map(SourceTable.SourceColumn::asColumn).toList();
    try (PreparedStatement ps = t.connection().prepareStatement(CopyStreams.insertSql(t, table))) {
      long[] pending = {0};
      long n = rows.read(table, row -> {
        for (int i = 0; i < columns.size(); i++) {
          t.bind(ps, i + 1, row.get(i), columns.get(i));
        }
        ps.addBatch();
        if (++pending[0] == BATCH) {
          ps.executeBatch();
          progress.addRows(BATCH);
          pending[0] = 0;
        }
      });
      ps.executeBatch();
      progress.addRows(pending[0]);
      return n;
    } catch (SnapshotInterruptedException e) {
      throw e;
    } catch (SQLException e) {
      throw new SQLException("copy of " + table.id() + " failed: " + e.getMessage(), e.getSQLState(), e);
    }
  }
}
