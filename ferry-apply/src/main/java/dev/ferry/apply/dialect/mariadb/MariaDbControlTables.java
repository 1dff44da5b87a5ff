package dev.ferry.apply.dialect.mariadb;

import dev.ferry.apply.dialect.SharedControlTables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Ferry's control tables on MariaDB: {@code ferry_}-prefixed InnoDB tables in the replica URL's
 * database, {@code ferry_sequences}, where the values of the source's sequences are kept, and
 * {@code ferry_ddl_steps}, how far into a transaction with DDL the replica committed, and {@code
 * ferry_read_only}, the {@code read_only} value a read-only replica's server had before Ferry.
 * Times are UTC {@code DATETIME(6)}. Stateless.
 */
public final class MariaDbControlTables extends SharedControlTables {
  public static final MariaDbControlTables INSTANCE = new MariaDbControlTables();
  /** The sequence values' table's base name (a source's sequences have no MariaDB counterpart here). */
  static final String SEQUENCES = "sequences";
  private static final String PREFIX = "ferry_";

  private MariaDbControlTables() {
  }

  @Override
  public String table(String baseName) {
    return PREFIX + baseName;
  }

  String sequences() {
    return table(SEQUENCES);
  }

  @Override
  public boolean exists(Connection c, String baseName) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM information_schema.TABLES"
        + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
      ps.setString(1, table(baseName));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** MariaDB's DDL commits on its own: each statement is safe to repeat (IF NOT EXISTS). */
  @Override
  public void prepare(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("""
          CREATE TABLE IF NOT EXISTS %s (
            source VARCHAR(255) NOT NULL PRIMARY KEY,
            applied_gtids LONGTEXT NOT NULL,
            journal_position VARCHAR(255),
            schema_sequence BIGINT,
            last_commit_time DATETIME(6),
            updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
            last_gtid VARCHAR(255),
            last_checksum BIGINT) ENGINE=InnoDB""".formatted(progress()));
      st.execute("""
          CREATE TABLE IF NOT EXISTS %s (
            id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
            detected_at DATETIME(6) NOT NULL,
            replica VARCHAR(255) NOT NULL,
            source VARCHAR(255) NOT NULL,
            gtid VARCHAR(255) NOT NULL,
            conflict_type VARCHAR(64) NOT NULL,
            table_name TEXT NOT NULL,
            row_key LONGTEXT NOT NULL,
            local_row LONGTEXT,
            remote_row LONGTEXT,
            resolution TEXT NOT NULL,
            resolved_at DATETIME(6),
            resolved_by TEXT,
            resolution_note LONGTEXT) ENGINE=InnoDB""".formatted(conflicts()));
      addResolutionColumns(c, st);
      st.execute("""
          CREATE TABLE IF NOT EXISTS %s (
            name VARCHAR(512) NOT NULL PRIMARY KEY,
            value BIGINT NOT NULL) ENGINE=InnoDB""".formatted(sequences()));
      st.execute("""
          CREATE TABLE IF NOT EXISTS %s (
            source VARCHAR(255) NOT NULL,
            table_name VARCHAR(512) NOT NULL,
            state VARCHAR(32) NOT NULL,
            snapshot_position VARCHAR(255),
            updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
            PRIMARY KEY (source, table_name)) ENGINE=InnoDB""".formatted(tableCopies()));
      st.execute("""
          CREATE TABLE IF NOT EXISTS %s (
            source VARCHAR(255) NOT NULL,
            gtid VARCHAR(255) NOT NULL,
            ddls INT NOT NULL,
            PRIMARY KEY (source, gtid)) ENGINE=InnoDB""".formatted(table(DDL_STEPS)));
    }
  }

  /** Conflicts tables made before a conflict could be marked resolved lack its columns. */
  private void addResolutionColumns(Connection c, Statement st) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM information_schema.COLUMNS WHERE"
        + " TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME IN ('resolved_at', 'resolved_by',"
        + " 'resolution_note')")) {
      ps.setString(1, conflicts());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getInt(1) == 3) {
          return;
        }
      }
    }
    st.execute("ALTER TABLE " + conflicts() + " ADD COLUMN IF NOT EXISTS resolved_at DATETIME(6),"
        + " ADD COLUMN IF NOT EXISTS resolved_by TEXT, ADD COLUMN IF NOT EXISTS resolution_note LONGTEXT");
  }

  @Override
  public void createArchiveLoads(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS " + archiveLoads() + " (replica VARCHAR(255) NOT NULL PRIMARY KEY,"
          + " archive TEXT NOT NULL, replication_point TEXT NOT NULL, loaded_at TEXT NOT NULL) ENGINE=InnoDB");
    }
  }

  /** Every control table's name on MariaDB (binlog capture never captures them). */
  public List<String> all() {
    return List.of(progress(), conflicts(), sequences(), archiveLoads(), tableCopies(), table(DDL_STEPS),
        table(MariaDbReadOnly.RECORD));
  }

  @Override
  public void createSyncIndexes(Connection c) {
    throw new IllegalStateException("a MariaDB target keeps its indexes during a seed's copy: no " + syncIndexes());
  }

  @Override
  public void drop(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String t : all()) {
        st.execute("DROP TABLE IF EXISTS " + t);
      }
    }
  }

  @Override
  protected Optional<Instant> readTime(ResultSet rs, int index) throws SQLException {
    return MariaDbBinding.INSTANCE.readTime(rs, index);
  }
}
