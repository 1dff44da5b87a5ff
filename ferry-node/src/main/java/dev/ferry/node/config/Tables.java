package dev.ferry.node.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which tables a source captures or a replica applies: a table's {@code schema.name} must fully
 * match one {@code include} pattern (any, when {@code include} is empty) and no {@code exclude}
 * pattern. Patterns are compiled when the file is loaded. Immutable; lists never null.
 *
 * @param include regular expressions on {@code schema.name}; empty means every table
 * @param exclude regular expressions on {@code schema.name}; a match excludes an included table
 */
public record Tables(List<Pattern> include, List<Pattern> exclude) {
  /** Every table. */
  public static final Tables ALL = new Tables(List.of(), List.of());

  public Tables {
    include = List.copyOf(include);
    exclude = List.copyOf(exclude);
  }

  /** Whether the table {@code schema.name} is selected. */
  public boolean accepts(String qualifiedName) {
    boolean included = include.isEmpty() || include.stream().anyMatch(p -> p.matcher(qualifiedName).matches());
    return included && exclude.stream().noneMatch(p -> p.matcher(qualifiedName).matches());
  }

  /** The include patterns as written. */
  public List<String> includeRegexes() {
    return include.stream().map(Pattern::pattern).toList();
  }

  /** The exclude patterns as written. */
  public List<String> excludeRegexes() {
    return exclude.stream().map(Pattern::pattern).toList();
  }

  /** {@code include [a, b] exclude [c]}, with {@code all} for no include patterns. */
  @Override
  public String toString() {
    return "include " + (include.isEmpty() ? "all" : includeRegexes()) + " exclude " + excludeRegexes();
  }
}
