package dev.ferry.node.config;

import dev.ferry.sql.SqliteUrl;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A database's JDBC URL: {@code jdbc:postgresql:...}, {@code jdbc:sqlite:...} or {@code jdbc:mariadb:...}. The URL may hold
 * credentials ({@code password=} parameters, {@code user:pass@host}), so {@link #toString()} gives
 * the {@link #redacted()} form; {@link #value()} is for the driver only. Immutable.
 *
 * @param value the URL as configured, after {@code ${VAR}} substitution; never null
 * @param kind which database it names; never null
 */
public record JdbcUrl(String value, Kind kind) {
  /** The databases Ferry reads and writes through this URL. */
  public enum Kind {
    POSTGRESQL("jdbc:postgresql:", true),
    /** A file: it has no password. */
    SQLITE(SqliteUrl.PREFIX, false),
    /** A MariaDB server's database: a replica only, so far. */
    MARIADB("jdbc:mariadb:", true);

    private final String prefix;
    private final boolean takesPassword;

    Kind(String prefix, boolean takesPassword) {
      this.prefix = prefix;
      this.takesPassword = takesPassword;
    }

    /** Whether a database of this kind can ask for a password. */
    public boolean takesPassword() {
      return takesPassword;
    }

    /** {@code jdbc:postgresql:}, {@code jdbc:sqlite:} or {@code jdbc:mariadb:}. */
    public String prefix() {
      return prefix;
    }
  }

  private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(\\b[a-z]*password=)[^&;]*");
  private static final Pattern USER_INFO = Pattern.compile("//([^/@:?]*):([^/?]*)@");
  private static final Pattern PG_AUTHORITY = Pattern.compile(
      "jdbc:postgresql://(?:[^/@?]*@)?([^/?]*)(?:/([^?]*))?.*", Pattern.CASE_INSENSITIVE);
  private static final Pattern MARIADB_AUTHORITY = Pattern.compile(
      "jdbc:mariadb://(?:[^/@?]*@)?([^/?,]*)(?:/([^?]*))?", Pattern.CASE_INSENSITIVE);

  public JdbcUrl {
    if (value == null || kind == null || !value.startsWith(kind.prefix())) {
      throw new IllegalArgumentException("a " + kind + " JDBC URL must start with "
          + (kind == null ? "jdbc:" : kind.prefix()));
    }
  }

  /**
   * Reads a URL, telling the database by its prefix.
   *
   * @throws IllegalArgumentException when the URL is not {@code jdbc:postgresql:...},
   *     {@code jdbc:sqlite:...} or {@code jdbc:mariadb:...} with something after the prefix; the
   *     message holds the redacted URL
   */
  public static JdbcUrl parse(String url) {
    for (Kind kind : Kind.values()) {
      if (url.startsWith(kind.prefix())) {
        if (url.length() == kind.prefix().length()) {
          throw new IllegalArgumentException("'" + url + "' names no database after " + kind.prefix());
        }
        return new JdbcUrl(url, kind);
      }
    }
    throw new IllegalArgumentException("'" + redact(url) + "' is not a jdbc:postgresql:, jdbc:sqlite: or jdbc:mariadb: URL");
  }

  /** The URL with every {@code password=} value and the password of {@code user:pass@} replaced by {@code ****}. */
  public String redacted() {
    return redact(value);
  }

  static String redact(String url) {
    String once = PASSWORD_PARAM.matcher(url).replaceAll("$1****");
    return USER_INFO.matcher(once).replaceAll("//$1:****@");
  }

  /**
   * Whether both URLs name the same database, whatever the credentials and parameters: the same
   * SQLite file (paths normalized, relative ones against {@code workingDirectory}) or the same
   * PostgreSQL or MariaDB host, port and database.
   */
  public boolean sameDatabaseAs(JdbcUrl other, Path workingDirectory) {
    Optional<String> mine = identity(workingDirectory);
    Optional<String> theirs = other.identity(workingDirectory);
    if (mine.isPresent() && theirs.isPresent()) {
      return mine.equals(theirs);
    }
    return value.equals(other.value);
  }

  /**
   * The database file of a SQLite URL, relative ones resolved against {@code workingDirectory};
   * empty for PostgreSQL and in-memory databases.
   */
  public Optional<Path> sqliteFile(Path workingDirectory) {
    return kind == Kind.SQLITE ? SqliteUrl.file(value, workingDirectory) : Optional.empty();
  }

  private Optional<String> identity(Path workingDirectory) {
    if (kind == Kind.SQLITE) {
      return sqliteFile(workingDirectory).map(f -> "sqlite:" + f);
    }
    if (kind == Kind.MARIADB) {
      Matcher m = MARIADB_AUTHORITY.matcher(value.split("\\?", 2)[0]);
      if (!m.matches()) {
        return Optional.empty();
      }
      String hostPort = m.group(1).toLowerCase(Locale.ROOT);
      hostPort = hostPort.matches(".*:\\d+") ? hostPort : hostPort + ":3306";
      return Optional.of("mariadb://" + hostPort + "/" + (m.group(2) == null ? "" : m.group(2)));
    }
    Matcher m = PG_AUTHORITY.matcher(value);
    if (!m.matches()) {
      return Optional.empty();
    }
    String hostPort = m.group(1).toLowerCase(Locale.ROOT);
    if (hostPort.isEmpty()) {
      hostPort = "localhost";
    }
    if (!hostPort.matches(".*:\\d+") || hostPort.endsWith("]")) {
      hostPort = hostPort + ":5432";
    }
    return Optional.of("postgresql://" + hostPort + "/" + (m.group(2) == null ? "" : m.group(2)));
  }

  /** The {@link #redacted()} URL. */
  @Override
  public String toString() {
    return redacted();
  }
}
