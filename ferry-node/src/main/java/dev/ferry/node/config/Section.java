package dev.ferry.node.config;

import dev.ferry.node.config.YamlNode.Entry;
import dev.ferry.node.config.YamlNode.ListNode;
import dev.ferry.node.config.YamlNode.MapNode;
import dev.ferry.node.config.YamlNode.Scalar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One map of the file (a section or a list entry) read key by key into types. Its known keys are
 * declared when it is opened, so an unknown key is refused before anything else is read. Every
 * error names the file, the line and the full key path. Not thread-safe; used once.
 */
final class Section {
  /** What every section shares: the file name for messages, the environment, where relative paths start. */
  record Context(Path file, Map<String, String> env, Path baseDir) {
  }

  private final Context ctx;
  private final String path;
  private final int line;
  private final MapNode map;

  private Section(Context ctx, String path, int line, MapNode map, List<String> known) throws ConfigException {
    this.ctx = ctx;
    this.path = path;
    this.line = line;
    this.map = map;
    for (Entry e : map.entries().values()) {
      if (!known.contains(e.key())) {
        throw new ConfigException(ctx.file(), e.line(), key(e.key()),
            "unknown key (known: " + String.join(", ", known) + ")");
      }
    }
  }

  static Section root(Context ctx, MapNode map, String... known) throws ConfigException {
    return new Section(ctx, "", 0, map, List.of(known));
  }

  /** The full path of {@code k} in this section, like {@code replicas[0].url}. */
  String key(String k) {
    return path.isEmpty() ? k : path + "." + k;
  }

  /** The line of {@code k}, or of this section when {@code k} is absent. */
  int lineOf(String k) {
    Entry e = map.entries().get(k);
    return e != null ? e.line() : line;
  }

  String path() {
    return path;
  }

  int line() {
    return line;
  }

  Context context() {
    return ctx;
  }

  ConfigException error(String k, String problem) {
    return new ConfigException(ctx.file(), lineOf(k), key(k), problem);
  }

  /** Whether {@code k} is given with a value other than YAML null. */
  boolean has(String k) {
    Entry e = map.entries().get(k);
    return e != null && !(e.value() instanceof Scalar s && s.text() == null);
  }

  /** The value of {@code k}, substituted; empty when absent or null. */
  Optional<String> string(String k) throws ConfigException {
    if (!has(k)) {
      return Optional.empty();
    }
    YamlNode value = map.entries().get(k).value();
    if (!(value instanceof Scalar s)) {
      throw error(k, "expected a single value, got " + value.describe());
    }
    return Optional.of(substitute(s, key(k), lineOf(k)));
  }

  String requiredString(String k) throws ConfigException {
    Optional<String> v = string(k);
    if (v.isEmpty() || v.get().isBlank()) {
      throw missing(k);
    }
    return v.get();
  }

  ConfigException missing(String k) {
    Entry e = map.entries().get(k);
    return new ConfigException(ctx.file(), e != null ? e.line() : line, key(k),
        e != null ? "must not be empty" : "required key is missing");
  }

  long integer(String k, long defaultValue, long min, long max) throws ConfigException {
    Optional<String> v = string(k);
    if (v.isEmpty()) {
      return defaultValue;
    }
    long n;
    try {
      n = Long.parseLong(v.get().strip());
    } catch (NumberFormatException e) {
      throw error(k, "'" + v.get() + "' is not a whole number");
    }
    if (n < min || n > max) {
      throw error(k, n + " is out of range " + min + ".." + max);
    }
    return n;
  }

  boolean bool(String k, boolean defaultValue) throws ConfigException {
    Optional<String> v = string(k);
    if (v.isEmpty()) {
      return defaultValue;
    }
    return switch (v.get().strip()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw error(k, "'" + v.get() + "' is not true or false");
    };
  }

  DataSize size(String k, DataSize defaultValue, DataSize min) throws ConfigException {
    Optional<String> v = string(k);
    if (v.isEmpty()) {
      return defaultValue;
    }
    DataSize size;
    try {
      size = DataSize.parse(v.get());
    } catch (IllegalArgumentException e) {
      throw error(k, e.getMessage());
    }
    if (size.compareTo(min) < 0) {
      throw error(k, size + " is below the minimum " + min);
    }
    return size;
  }

  Duration duration(String k, Duration defaultValue) throws ConfigException {
    Optional<String> v = string(k);
    if (v.isEmpty()) {
      return defaultValue;
    }
    Duration d;
    try {
      d = Durations.parse(v.get());
    } catch (IllegalArgumentException e) {
      throw error(k, e.getMessage());
    }
    if (!d.isPositive()) {
      throw error(k, "must be longer than zero, got '" + v.get() + "'");
    }
    return d;
  }

  /** One of {@code choices}, written lower-case with {@code -} (enum {@code READ_ONLY} is {@code read-only}). */
  <E extends Enum<E>> E choice(String k, E defaultValue) throws ConfigException {
    Optional<String> v = string(k);
    if (v.isEmpty()) {
      return defaultValue;
    }
    List<String> names = new ArrayList<>();
    for (E c : defaultValue.getDeclaringClass().getEnumConstants()) {
      String name = spelling(c);
      if (name.equals(v.get().strip())) {
        return c;
      }
      names.add(name);
    }
    throw error(k, "'" + v.get() + "' is not one of " + String.join(", ", names));
  }

  static String spelling(Enum<?> value) {
    return value.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /** A path; relative ones are resolved against the configuration file's directory. */
  Optional<Path> path(String k) throws ConfigException {
    Optional<String> v = string(k);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ctx.baseDir().resolve(v.get()).normalize());
    } catch (java.nio.file.InvalidPathException e) {
      throw error(k, "'" + v.get() + "' is not a path: " + e.getReason());
    }
  }

  /**
   * A list of names each matching {@code allowed} (described as {@code what} in errors), without
   * duplicates; empty when absent.
   */
  List<String> names(String k, Pattern allowed, String what) throws ConfigException {
    if (!has(k)) {
      return List.of();
    }
    YamlNode value = map.entries().get(k).value();
    if (!(value instanceof ListNode list)) {
      throw error(k, "expected a list of names like [east, west], got " + value.describe());
    }
    List<String> out = new ArrayList<>();
    for (YamlNode item : list.items()) {
      String itemKey = key(k) + "[" + out.size() + "]";
      if (!(item instanceof Scalar s) || s.text() == null) {
        throw new ConfigException(ctx.file(), item.line(), itemKey, "expected a name, got " + item.describe());
      }
      String name = substitute(s, itemKey, item.line()).strip();
      if (!allowed.matcher(name).matches()) {
        throw new ConfigException(ctx.file(), item.line(), itemKey, "'" + name + "' is not " + what);
      }
      if (out.contains(name)) {
        throw new ConfigException(ctx.file(), item.line(), itemKey, "'" + name + "' is listed twice");
      }
      out.add(name);
    }
    return List.copyOf(out);
  }

  /** A list of regular expressions, compiled; {@code defaultValue} when absent. */
  List<Pattern> patterns(String k, List<Pattern> defaultValue) throws ConfigException {
    if (!has(k)) {
      return defaultValue;
    }
    YamlNode value = map.entries().get(k).value();
    if (!(value instanceof ListNode list)) {
      throw error(k, "expected a list of regular expressions like ['public\\..*'], got " + value.describe());
    }
    List<Pattern> out = new ArrayList<>();
    for (YamlNode item : list.items()) {
      String itemKey = key(k) + "[" + out.size() + "]";
      if (!(item instanceof Scalar s) || s.text() == null) {
        throw new ConfigException(ctx.file(), item.line(), itemKey, "expected a regular expression, got " + item.describe());
      }
      String regex = substitute(s, itemKey, item.line());
      try {
        out.add(Pattern.compile(regex));
      } catch (PatternSyntaxException e) {
        throw new ConfigException(ctx.file(), item.line(), itemKey,
            "'" + regex + "' is not a regular expression: " + e.getDescription() + " near index " + e.getIndex());
      }
    }
    return List.copyOf(out);
  }

  /** The map under {@code k} as a section with the given known keys; empty when absent or null. */
  Optional<Section> section(String k, String... known) throws ConfigException {
    if (!has(k)) {
      return Optional.empty();
    }
    YamlNode value = map.entries().get(k).value();
    if (!(value instanceof MapNode m)) {
      throw error(k, "expected a map (keys " + String.join(", ", known) + "), got " + value.describe());
    }
    return Optional.of(new Section(ctx, key(k), lineOf(k), m, List.of(known)));
  }

  Section requiredSection(String k, String... known) throws ConfigException {
    Optional<Section> s = section(k, known);
    if (s.isEmpty()) {
      throw missing(k);
    }
    return s.get();
  }

  /** The list of maps under {@code k}, each a section with the given known keys; empty when absent. */
  List<Section> sections(String k, String... known) throws ConfigException {
    if (!has(k)) {
      return List.of();
    }
    YamlNode value = map.entries().get(k).value();
    if (!(value instanceof ListNode list)) {
      throw error(k, "expected a list (entries starting with '- '), got " + value.describe());
    }
    List<Section> out = new ArrayList<>();
    for (YamlNode item : list.items()) {
      String itemPath = key(k) + "[" + out.size() + "]";
      if (!(item instanceof MapNode m)) {
        throw new ConfigException(ctx.file(), item.line(), itemPath, "expected a map, got " + item.describe());
      }
      out.add(new Section(ctx, itemPath, item.line(), m, List.of(known)));
    }
    return out;
  }

  private String substitute(Scalar s, String keyPath, int keyLine) throws ConfigException {
    if (!s.string()) {
      return s.text();
    }
    try {
      return EnvSubstitution.apply(s.text(), ctx.env());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(ctx.file(), keyLine, keyPath, e.getMessage());
    }
  }
}
