package dev.ferry.apply.sync;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.dialect.DatabaseIdentity;
import dev.ferry.capture.postgres.PostgresSnapshotReader;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.snapshot.SnapshotSession;
import dev.ferry.journal.snapshot.SourceTable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Apply's copies fed by capture's snapshot reader, as the node wires them: these tests live in
 * ferry-node because only the node may see both modules.
 */
final class Snapshots {
  private Snapshots() {
  }

  /** A snapshot of the source at {@code url}, exported by the reader itself. */
  static PostgresSnapshotReader open(String url) throws Exception {
    return PostgresSnapshotReader.open(PostgresSourceConfig.of("src", url), Optional.empty());
  }

  static InitialCopy.Source source(String url, PostgresSnapshotReader reader) throws Exception {
    try (Connection c = DriverManager.getConnection(url)) {
      return new InitialCopy.Source(reader, DatabaseIdentity.of(c));
    }
  }

  static CopyResult copy(String url, List<TableId> tables, ApplyConfig replica, ConnectionSource target,
      CopyOptions options) throws Exception {
    try (PostgresSnapshotReader reader = open(url)) {
      return InitialCopy.copy(source(url, reader), tables, replica, target, options);
    }
  }

  static List<SourceTable> describe(String url, List<TableId> tables) throws Exception {
    try (PostgresSnapshotReader reader = open(url); SnapshotSession s = reader.session()) {
      List<SourceTable> described = new ArrayList<>();
      for (TableId id : tables) {
        described.add(s.describe(id));
      }
      return described;
    }
  }

  static List<ExportArchive.TableFile> export(ExportArchive.Writer writer, String url, List<TableId> tables,
      int parallelism) throws Exception {
    try (PostgresSnapshotReader reader = open(url)) {
      return writer.copyTables(source(url, reader), tables, parallelism);
    }
  }
}
