package dev.ferry.apply.sync;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.dialect.BulkLoader;
import dev.ferry.apply.dialect.DatabaseIdentity;
import dev.ferry.apply.jdbc.SeedTarget;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.snapshot.SourceTable;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a verified archive into a target in ONE transaction: create missing tables, empty the
 * loaded ones, fill them (PostgreSQL: {@code COPY … FROM STDIN} in text format; SQLite: rows
 * converted as the applier converts them), write the progress row and the {@link ArchiveLoads}
 * row, commit. A crash or error before the commit leaves the target as it was.
 */
final class ArchiveLoader {
  private static final Logger log = LoggerFactory.getLogger(ArchiveLoader.class);
  private static final int BATCH = 1000;

  private ArchiveLoader() {
  }

  static Map<TableId, Long> load(ExportArchive archive, List<ArchiveTables.Entry> entries, ApplyConfig replica,
      ConnectionSource target, Optional<ReplicationPoint> resumeAt, Consumer<CopyProgress> watcher)
      throws SyncException {
    Side side = replica.side();
    String prefix = side + " ";
    List<ArchiveTables.Entry> selected = entries.stream().filter(e -> replica.filter().accepts(e.table().id()))
        .toList();
    Map<TableId, Long> loaded = new LinkedHashMap<>();
    String current = "(setup)";
    try (Connection c = target.connect()) {
      refuseSource(archive, c, side);
      SeedTarget t = SeedTarget.on(c, replica);
      try {
        t.beginWrite();
        for (ArchiveTables.Entry e : selected) {
          current = e.table().id().toString();
          TargetTables.ensure(t, e.table(), prefix);
        }
        TargetTables.truncate(t, selected.stream().map(ArchiveTables.Entry::table).toList());
        CopyProgress figures = new CopyProgress(selected.stream().mapToLong(ArchiveTables.Entry::rows).sum(),
            bytesOf(archive, selected), selected.size());
        watcher.accept(figures);
        TableProgress progress = new TableProgress(prefix, "loaded", figures);
        for (ArchiveTables.Entry e : selected) {
          current = e.table().id().toString();
          Path file = archive.directory().resolve(e.file());
          long rows = t.bulkLoader().isPresent() ? bulkLoad(t, t.bulkLoader().get(), e.table(), file)
              : insert(t, e.table(), file);
          if (rows != e.rows()) {
            throw new SyncException(side, "loaded " + rows + " rows of " + e.table().id() + " from " + file
                + ", but " + ExportArchive.TABLES + " says " + e.rows());
          }
          loaded.put(e.table().id(), rows);
          progress.tableDone(e.table().id(), rows, Files.size(file));
        }
        current = "(progress row)";
        if (resumeAt.isPresent()) {
          t.writePosition(resumeAt.get().resume(), Instant.now());
        }
        ArchiveLoads.record(c, t.controlTables(), replica.replicaName(), archive.directory().toAbsolutePath().toString(),
            resumeAt.map(ReplicationPoint::toString).orElse(""), Instant.now());
        c.commit();
      } catch (SQLException | IOException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new SyncException(side, "cannot load " + current + " from archive " + archive.directory() + ": "
          + e.getMessage() + " (SQLSTATE " + e.getSQLState() + "); the target is unchanged", e);
    } catch (ArchiveCorruptException e) {
      throw new ArchiveCorruptException(side, e.path(), "cannot load " + current + " from archive "
          + archive.directory() + ": " + e.getMessage() + "; the target is unchanged");
    } catch (SyncException e) {
      throw e;
    } catch (IOException e) {
      throw new SyncException(side, "cannot load " + current + " from archive " + archive.directory() + ": " + e
          + "; the target is unchanged", e);
    }
    log.info("{}loaded {} rows of {} tables from archive {}", prefix,
        loaded.values().stream().mapToLong(Long::longValue).sum(), loaded.size(), archive.directory());
    return loaded;
  }

  /** A load empties and creates tables: never in the database the archive was exported from. */
  /** The size of the tables' files, to show how much of the load is done (0 when one cannot be read). */
  private static long bytesOf(ExportArchive archive, List<ArchiveTables.Entry> entries) {
    long sum = 0;
    for (ArchiveTables.Entry e : entries) {
      try {
        sum += Files.size(archive.directory().resolve(e.file()));
      } catch (IOException ex) {
        return 0;
      }
    }
    return sum;
  }

  private static void refuseSource(ExportArchive archive, Connection c, Side side)
      throws SQLException, SyncException {
    Optional<DatabaseIdentity> target = DatabaseIdentity.of(c);
    if (archive.sourceIdentity().isPresent() && target.isPresent()
        && target.get().key().equals(archive.sourceIdentity().get())) {
      throw new SyncException(side, "refusing to load archive " + archive.directory() + " into the database it was"
          + " exported from (" + target.get() + "); point the replica's url at another database");
    }
  }

  /** The archive's files are COPY text: a target with a bulk path takes them as they are. */
  private static long bulkLoad(SeedTarget t, BulkLoader loader, SourceTable table, Path file)
      throws SQLException, IOException {
    List<String> columns = table.columns().stream().map(c -> t.quote(c.name())).toList();
    try (InputStream in = Files.newInputStream(file)) {
      return loader.loadText(t.connection(), t.tableName(table.id()), columns, in);
    }
  }

  private static long insert(SeedTarget t, SourceTable table, Path file)
      throws SQLException, IOException, ArchiveCorruptException {
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(t.tableName(table.id())).append(" (");
    for (int i = 0; i < table.columns().size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(t.quote(table.columns().get(i).name()));
    }
    sql.append(") VALUES (").append("?, ".repeat(table.columns().size() - 1)).append("?)");
    List<Column> columns = new ArrayList<>(table.columns().stream().map(SourceTable.SourceColumn::asColumn).toList());
    long rows = 0;
    try (PreparedStatement ps = t.connection().prepareStatement(sql.toString());
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        line.write(b);
        if (b != '\n') {
          continue;
        }
        List<String> fields = CopyText.parse(line.toByteArray(), line.size());
        line.reset();
        if (fields.size() != columns.size()) {
          throw new ArchiveCorruptException(file, "line " + (rows + 1) + " of " + file + " has " + fields.size()
              + " fields, expected " + columns.size());
        }
        for (int i = 0; i < fields.size(); i++) {
          t.bindText(ps, i + 1, fields.get(i), columns.get(i));
        }
        ps.addBatch();
        if (++rows % BATCH == 0) {
          ps.executeBatch();
        }
      }
      if (line.size() > 0) {
        throw new ArchiveCorruptException(file, file + " ends in the middle of a row (no newline after row " + rows + ")");
      }
      ps.executeBatch();
    }
    return rows;
  }
}
