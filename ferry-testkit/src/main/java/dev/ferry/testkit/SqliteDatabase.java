package dev.ferry.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A SQLite database in a temp file, in WAL mode. {@link #close()} deletes the file and its
 * {@code -wal} and {@code -shm} companions. Connections from {@link #connect()} wait up to
 * 10 s for a lock ({@code busy_timeout}), so concurrent writers queue instead of failing.
 */
public final class SqliteDatabase implements AutoCloseable {
  private final Path dir;
  private final Path file;

  private SqliteDatabase(Path dir, Path file) {
    this.dir = dir;
    this.file = file;
  }

  /** Creates an empty database file in WAL mode in a new temp directory. */
  public static SqliteDatabase create() throws IOException, SQLException {
    Path dir = Files.createTempDirectory("ferry-sqlite-");
    SqliteDatabase db = new SqliteDatabase(dir, dir.resolve("db.sqlite"));
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode=WAL");
    }
    return db;
  }

  public Path file() {
    return file;
  }

  public String jdbcUrl() {
    return "jdbc:sqlite:" + file;
  }

  /** A new connection with a 10 s busy timeout. */
  public Connection connect() throws SQLException {
    Connection c = DriverManager.getConnection(jdbcUrl());
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout=10000");
    }
    return c;
  }

  @Override
  public void close() throws IOException {
    TempFiles.deleteTree(dir);
  }
}
