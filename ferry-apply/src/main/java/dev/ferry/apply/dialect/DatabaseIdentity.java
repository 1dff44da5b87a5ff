package dev.ferry.apply.dialect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;

/**
 * What a database is, whatever URL reached it: two connections with equal {@link #key()}s are
 * connected to the same database. URL text cannot tell that ({@code localhost} and
 * {@code 127.0.0.1}, {@code app} and {@code APP} resolving to one database, two ports forwarding
 * to one server), and a replica that is really its own source would have Ferry's DDL and writes
 * run on the source.
 *
 * <ul>
 *   <li>PostgreSQL: the cluster's {@code system_identifier} ({@code pg_control_system()}, set by
 *       initdb, the same through every host name and port) and the database's OID.</li>
 *   <li>SQLite: the main database file's device and inode (its {@code fileKey}), so a symlink,
 *       a hard link or a relative path to the same file is the same database.</li>
 * </ul>
 *
 * @param key what equality is decided on; never null
 * @param description for messages: the key and where it was read (a file's real path)
 */
public record DatabaseIdentity(String key, String description) {
  public DatabaseIdentity {
    if (key == null || key.isBlank() || description == null) {
      throw new IllegalArgumentException("a database identity needs a key and a description");
    }
  }

  /**
   * The identity of the database {@code c} is connected to; empty for a database that is no file
   * (SQLite in memory), which no other connection can share. Runs read-only catalog queries only.
   *
   * @throws SQLException when the catalog cannot be read
   */
  public static Optional<DatabaseIdentity> of(Connection c) throws SQLException {
    return Dialect.of(c).identity(c);
  }

  /**
   * The identity of the database {@code url} names, found without writing to it (a SQLite file by
   * its attributes: opening it would create it); empty for a database no other URL can share.
   *
   * @throws SQLException when it cannot be reached or read
   */
  public static Optional<DatabaseIdentity> ofUrl(String url, java.util.Properties properties) throws SQLException {
    return Dialect.forUrl(url).identityAt(url, properties);
  }

  /** Whether both identities are one database. */
  public boolean sameDatabaseAs(DatabaseIdentity other) {
    return key.equals(other.key);
  }

  /** A SQLite database file's identity; empty when the file does not exist (yet). */
  public static Optional<DatabaseIdentity> ofFile(Path file) throws SQLException {
    try {
      Path real = file.toRealPath();
      Object fileKey = Files.readAttributes(real, BasicFileAttributes.class).fileKey();
      String key = "sqlite:" + (fileKey == null ? real.toString() : fileKey.toString().toLowerCase(Locale.ROOT));
      return Optional.of(new DatabaseIdentity(key, "SQLite file " + real
          + (fileKey == null ? "" : " " + fileKey)));
    } catch (java.nio.file.NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      // Ferry's own finding, not the database's: no SQLSTATE (none is invented), the I/O error as the cause.
      throw new SQLException("cannot read the attributes of SQLite file " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
