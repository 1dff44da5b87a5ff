package dev.ferry.journal.model;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which tables a capture or a replica takes: a table {@code schema.name} (unquoted, as the source
 * spells it) is taken if it fully matches one of the include patterns (or there are none) and none
 * of the exclude patterns. One type for capture and apply, so one journal can feed replicas with
 * different table sets by the same rule. Immutable and thread-safe.
 *
 * @param include regular expressions; empty means every table
 * @param exclude regular expressions; a match excludes the table even if included
 */
public record TableFilter(List<Pattern> include, List<Pattern> exclude) {
  /** Every table. */
  public static final TableFilter ALL = new TableFilter(List.of(), List.of());

  public TableFilter {
    include = List.copyOf(include);
    exclude = List.copyOf(exclude);
  }

  /** Every table of {@code schema} (SQLite: {@code main}). */
  public static TableFilter allOf(String schema) {
    return new TableFilter(List.of(Pattern.compile(Pattern.quote(schema) + "\\..*")), List.of());
  }

  /**
   * Compiles the patterns.
   *
   * @throws IllegalArgumentException naming the pattern that does not compile
   */
  public static TableFilter of(List<String> include, List<String> exclude) {
    return new TableFilter(compile(include, "include"), compile(exclude, "exclude"));
  }

  private static List<Pattern> compile(List<String> patterns, String key) {
    return patterns.stream().map(p -> {
      try {
        return Pattern.compile(p);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("tables." + key + " pattern '" + p + "' is not a regular expression: "
            + e.getDescription(), e);
      }
    }).toList();
  }

  /** Whether {@code table} is taken. */
  public boolean accepts(TableId table) {
    String name = table.schema().isEmpty() ? table.name() : table.schema() + "." + table.name();
    boolean included = include.isEmpty() || include.stream().anyMatch(p -> p.matcher(name).matches());
    return included && exclude.stream().noneMatch(p -> p.matcher(name).matches());
  }
}
