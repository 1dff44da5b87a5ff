package dev.ferry.node.cli;

import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.Sided;
import dev.ferry.sql.SqliteErrors;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Turns the exception a command failed with into the one line a user reads: what is wrong (the
 * component's own message, which names the source, replica or file) and what to do about it. A
 * failure of the environment (a database that refuses, a password, a directory) is the user's
 * to fix and gets advice; anything else is a bug in Ferry.
 *
 * <p>Stateless; safe from any thread.
 */
final class ErrorAdvice {
  private ErrorAdvice() {
  }

  /**
   * The line for a failure the user can fix, or empty when {@code e} looks like a bug (a
   * programming error with no I/O or SQL failure behind it).
   */
  static Optional<String> forUser(Throwable e) {
    if (e instanceof CliException) {
      return Optional.of(e.getMessage());
    }
    Optional<String> advice = advice(e);
    // A checked exception is a component's report; an unchecked one with no I/O or SQL behind it is a bug.
    boolean environment = cause(e, SQLException.class).isPresent() || cause(e, IOException.class).isPresent();
    if (!environment && e instanceof RuntimeException) {
      return Optional.empty();
    }
    if (e instanceof FileSystemException f && String.valueOf(f.getMessage()).equals(f.getFile())) {
      return advice; // the JDK's message is the bare path, which the advice names with its reason
    }
    String what = Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName()).strip();
    if (advice.isPresent() && what.endsWith(".")) {
      what = what.substring(0, what.length() - 1);
    }
    return Optional.of(what + advice.map(a -> "; " + a).orElse(""));
  }

  /** What to do about {@code e}, when its kind is known. */
  static Optional<String> advice(Throwable e) {
    String where = where(e);
    Optional<FileSystemException> fs = cause(e, FileSystemException.class);
    if (fs.isPresent()) {
      return Optional.of(fileAdvice(fs.get()));
    }
    if (sqliteFileAccess(e)) {
      return Optional.of("SQLite creates its journal files next to the database, so user " + user()
          + " must be able to write the database file and the directory it is in");
    }
    Optional<String> state = cause(e, SQLException.class).map(ErrorAdvice::sqlState);
    if (state.isPresent() && !state.get().isEmpty()) {
      String s = state.get();
      if (s.startsWith("28")) {
        return Optional.of("check the user and password in " + where + " (or its password key)");
      }
      if (s.equals("3D000")) {
        return Optional.of("create that database on the server (createdb), or fix the database name in " + where);
      }
      if (s.startsWith("08")) {
        return Optional.of("check that the database server is running and that host and port are right in " + where);
      }
      if (s.equals("42501")) {
        return Optional.of("grant the missing privilege (docs/postgres-capture.md lists what Ferry needs) or use "
            + "another user in " + where);
      }
    }
    if (cause(e, ConnectException.class).isPresent() || cause(e, UnknownHostException.class).isPresent()) {
      return Optional.of("check that the database server is running and that host and port are right in " + where);
    }
    return Optional.empty();
  }

  private static String fileAdvice(FileSystemException f) {
    String path = f.getFile();
    if (f instanceof AccessDeniedException) {
      return path + ": permission denied for user " + user() + ": make it writable for " + user()
          + ", or use another place";
    }
    if (f instanceof NoSuchFileException) {
      return "no such file or directory: " + path;
    }
    if (f instanceof NotDirectoryException) {
      return path + " is not a directory";
    }
    return path + ": " + Optional.ofNullable(f.getReason()).orElse("file system error");
  }

  /**
   * Which setting to look at: the url of the first source or replica {@link Side} that {@code e} or
   * one of its causes carries (a journal or archive names no url, so its causes are asked). The
   * side is a value the exceptions carry, never read back from their messages.
   */
  static String where(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      Optional<Side> side = t instanceof Sided s ? s.side() : Optional.empty();
      if (side.isPresent() && side.get().kind() == Side.Kind.SOURCE) {
        return "source.url";
      }
      if (side.isPresent() && side.get().kind() == Side.Kind.REPLICA) {
        return "the url of replica " + side.get().name();
      }
    }
    return "the url in the configuration";
  }

  private static String sqlState(SQLException e) {
    for (SQLException s = e; s != null; s = s.getNextException()) {
      if (s.getSQLState() != null) {
        return s.getSQLState();
      }
    }
    return "";
  }

  /** Whether an SQLite error in {@code e}'s causes says the file or its directory cannot be opened or written. */
  private static boolean sqliteFileAccess(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && SqliteErrors.INSTANCE.isFileAccess(s)) {
        return true;
      }
    }
    return false;
  }

  static <T extends Throwable> Optional<T> cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return Optional.of(type.cast(t));
      }
    }
    return Optional.empty();
  }

  private static String user() {
    return System.getProperty("user.name", "?");
  }
}
