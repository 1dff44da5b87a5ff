package dev.ferry.capture.trigger;

import dev.ferry.journal.TableId;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which tables are captured: a table's {@code schema.name} must fully match one include regex and
 * no exclude regex. Immutable and thread-safe.
 */
public record TableFilter(List<Pattern> include, List<Pattern> exclude) {
  public TableFilter {
    include = List.copyOf(include);
    exclude = List.copyOf(exclude);
  }

  /** Every table of schema {@code main} (SQLite's main database). */
  public static TableFilter allOf(String schema) {
    return new TableFilter(List.of(Pattern.compile(Pattern.quote(schema) + "\\..*")), List.of());
  }

  /** Compiles regexes; a bad one is refused naming the setting and the pattern. */
  public static TableFilter of(List<String> include, List<String> exclude) {
    return new TableFilter(compile("include", include), compile("exclude", exclude));
  }

  private static List<Pattern> compile(String key, List<String> regexes) {
    return regexes.stream().map(r -> {
      try {
        return Pattern.compile(r);
      } catch (java.util.regex.PatternSyntaxException e) {
        throw new IllegalArgumentException("tables." + key + ": '" + r + "' is not a regular expression: "
            + e.getDescription());
      }
    }).toList();
  }

  public boolean matches(TableId table) {
    String name = table.schema() + "." + table.name();
    return include.stream().anyMatch(p -> p.matcher(name).matches())
        && exclude.stream().noneMatch(p -> p.matcher(name).matches());
  }
}
