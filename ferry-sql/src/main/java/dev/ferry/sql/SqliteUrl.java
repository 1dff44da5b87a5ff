package dev.ferry.sql;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What a {@code jdbc:sqlite:} URL names: the one reading of it that the configuration (a replica
 * that is its source's own file) and the target dialect (a database's identity without opening
 * it) share. Stateless.
 */
public final class SqliteUrl {
  /** The prefix of every SQLite JDBC URL. */
  public static final String PREFIX = "jdbc:sqlite:";

  private SqliteUrl() {
  }

  /**
   * The database file {@code url} names ({@code jdbc:sqlite:PATH}, {@code jdbc:sqlite:file:PATH},
   * parameters after {@code ?} ignored), a relative one resolved against {@code workingDirectory},
   * absolute and normalized; empty for an in-memory database, a path the platform cannot hold, or
   * a URL that is not SQLite's.
   */
  public static Optional<Path> file(String url, Path workingDirectory) {
    if (!url.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String rest = url.substring(PREFIX.length());
    String file = rest.startsWith("file:") ? rest.substring("file:".length()) : rest;
    int query = file.indexOf('?');
    file = query < 0 ? file : file.substring(0, query);
    if (file.isEmpty() || file.startsWith(":memory:")) {
      return Optional.empty();
    }
    try {
      return Optional.of(workingDirectory.resolve(file).toAbsolutePath().normalize());
    } catch (RuntimeException e) { // InvalidPathException
      return Optional.empty();
    }
  }
}
