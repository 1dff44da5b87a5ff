package dev.ferry.node.cli;

import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.config.JdbcUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Checks, before anything starts, that this process can write where the configuration says it
 * will: a directory it cannot write would otherwise surface deep inside a component as a bare path
 * or a driver's message. Each failure names the setting, the directory and the user.
 */
final class Preflight {
  private Preflight() {
  }

  /** Everything {@code ferry setup} and {@code ferry run} write. */
  static void all(FerryConfig config) {
    journalAndLog(config);
    source(config);
    replicas(config);
  }

  /**
   * The journal and log directories and the status file's: created if missing, so their nearest
   * existing parent must be writable.
   */
  static void journalAndLog(FerryConfig config) {
    writable("journal.dir", config.journal().directory().toAbsolutePath(), config);
    writable("log.dir", config.log().dir().toAbsolutePath(), config);
    Path status = config.status().file().toAbsolutePath();
    if (status.getParent() != null) {
      writable("status.file", status.getParent(), config);
    }
  }

  /** A SQLite source: SQLite writes its journal files next to the database. */
  static void source(FerryConfig config) {
    sqliteDirectory("source.url", config.source().url(), config);
  }

  /** SQLite replicas, for the same reason. */
  static void replicas(FerryConfig config) {
    for (int i = 0; i < config.replicas().size(); i++) {
      sqliteDirectory("replicas[" + i + "].url", config.replicas().get(i).url(), config);
    }
  }

  private static void sqliteDirectory(String key, JdbcUrl url, FerryConfig config) {
    Optional<Path> file = url.sqliteFile(Path.of("").toAbsolutePath());
    if (file.isEmpty() || file.get().getParent() == null) {
      return;
    }
    Path dir = file.get().getParent();
    if (Files.isDirectory(dir) && !Files.isWritable(dir)) {
      throw new CliException(key + " " + file.get() + ": user " + user() + " cannot create files in " + dir
          + ", and SQLite writes its journal files next to the database: make " + dir + " writable for "
          + user() + ", or move the database (" + config.file() + ")");
    }
  }

  private static void writable(String key, Path dir, FerryConfig config) {
    Path existing = dir;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null || !Files.isDirectory(existing)) {
      return; // a missing parent or a file in the way is reported where the directory is created
    }
    if (!Files.isWritable(existing) || !Files.isExecutable(existing)) {
      String what = existing.equals(dir) ? "cannot write in it" : "cannot create it in " + existing;
      throw new CliException(key + " " + dir + ": user " + user() + " " + what + " (permission denied): make "
          + existing + " writable for " + user() + ", or set " + key + " in " + config.file()
          + " to a directory it can write");
    }
  }

  private static String user() {
    return System.getProperty("user.name", "?");
  }
}
