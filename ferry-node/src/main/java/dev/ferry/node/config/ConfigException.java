package dev.ferry.node.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A configuration file that cannot be used: missing, unreadable, not YAML, or holding a key that
 * is unknown, of the wrong type or contradicting another. The message is one line naming the
 * file, the line and the key, for example
 * {@code ferry.yaml:7: replicas[0].conflicts: 'sometimes' is not one of stop, skip, overwrite}.
 * The message never holds a password or another substituted value of a {@code password} key.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final int line;
  private final String key;
  private final String problem;

  /**
   * @param file the configuration file as the user named it; never null
   * @param line 1-based line the problem is on, or 0 when it is not tied to a line
   * @param key the dotted key path ({@code replicas[0].url}), or null when the problem is the file's
   * @param problem what is wrong, expected vs actual; never null
   */
  public ConfigException(Path file, int line, String key, String problem) {
    super(format(file, line, key, problem));
    this.file = Objects.requireNonNull(file, "file");
    this.line = line;
    this.key = key;
    this.problem = Objects.requireNonNull(problem, "problem");
  }

  private static String format(Path file, int line, String key, String problem) {
    StringBuilder b = new StringBuilder().append(file);
    if (line > 0) {
      b.append(':').append(line);
    }
    b.append(": ");
    if (key != null) {
      b.append(key).append(": ");
    }
    return b.append(problem).toString();
  }

  /** The configuration file, as the caller named it. Never null. */
  public Path file() {
    return file;
  }

  /** The 1-based line of the problem; empty when the problem is the whole file's. */
  public OptionalInt line() {
    return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
  }

  /** The key path, like {@code journal.segment-size} or {@code replicas[1].name}; empty for file-level problems. */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }

  /** The problem alone, without file, line and key. Never null. */
  public String problem() {
    return problem;
  }
}
