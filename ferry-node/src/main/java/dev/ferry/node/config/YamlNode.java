package dev.ferry.node.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.dataformat.yaml.YAMLFactory;

/**
 * A YAML document as maps, lists and scalars that remember the line they start on, so every
 * error can name its line. Read with Jackson's streaming YAML parser; no binding, no types: a
 * scalar keeps its text and is typed by the key that reads it (after {@code ${VAR}} substitution).
 */
sealed interface YamlNode {
  /** 1-based line the node starts on. */
  int line();

  /** What the node is, for "expected a list, got a map". */
  String describe();

  /** A mapping; {@code entries} keeps the file's order. */
  record MapNode(int line, Map<String, Entry> entries) implements YamlNode {
    @Override
    public String describe() {
      return "a map";
    }
  }

  /** One {@code key: value} of a map; {@code line} is the key's line. */
  record Entry(String key, int line, YamlNode value) {
  }

  record ListNode(int line, List<YamlNode> items) implements YamlNode {
    @Override
    public String describe() {
      return "a list";
    }
  }

  /**
   * A single value. {@code text} is null for YAML null ({@code key:} with nothing after it or
   * {@code ~}); {@code quoted} tells strings from numbers and booleans.
   */
  record Scalar(int line, String text, boolean string) implements YamlNode {
    @Override
    public String describe() {
      return text == null ? "nothing" : "a single value";
    }
  }

  YAMLFactory FACTORY = YAMLFactory.builder().build();

  /**
   * Parses a whole document. An empty document is an empty map.
   *
   * @throws ConfigException for YAML syntax errors (with their line), a document that is not a
   *     map, duplicate keys and a second document
   */
  static MapNode parse(String yaml, Path file) throws ConfigException {
    try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), yaml)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return new MapNode(1, Map.of());
      }
      YamlNode root = read(p, file, "");
      if (!(root instanceof MapNode map)) {
        throw new ConfigException(file, root.line(), null,
            "the file must be a map of sections (source:, journal:, replicas:, ...), got " + root.describe());
      }
      if (p.nextToken() != null) {
        throw new ConfigException(file, line(p.currentTokenLocation()), null,
            "a second YAML document; the file must hold one");
      }
      return map;
    } catch (JacksonException e) {
      throw syntaxError(e, file);
    }
  }

  /**
   * SnakeYAML's problem and its mark when there is one (Jackson's own message spans several
   * lines), with line and column spelled out and a hint for the usual causes.
   */
  private static ConfigException syntaxError(JacksonException e, Path file) {
    if (e.getCause() instanceof MarkedYamlEngineException m && m.getProblem() != null) {
      int line = m.getProblemMark().map(mark -> mark.getLine() + 1).orElse(0);
      String at = m.getProblemMark().map(mark -> " at line " + (mark.getLine() + 1) + ", column "
          + (mark.getColumn() + 1)).orElse("");
      String context = m.getContext() == null ? ""
          : " (" + m.getContext() + m.getContextMark().map(mark -> " started at line " + (mark.getLine() + 1)).orElse("")
              + ")";
      String problem = m.getProblem().strip();
      return new ConfigException(file, line, null, "not valid YAML" + at + ": " + problem + context + hint(problem));
    }
    TokenStreamLocation where = e.getLocation();
    String at = where == null || where.getLineNr() <= 0 ? ""
        : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
    return new ConfigException(file, where == null ? 0 : line(where), null,
        "not valid YAML" + at + ": " + firstLine(e.getOriginalMessage()));
  }

  private static String hint(String problem) {
    if (problem.contains("mapping values are not allowed")) {
      return "; check the indentation of that line, and quote a value that holds ': '";
    }
    if (problem.contains("(TAB)")) {
      return "; indent with spaces";
    }
    return "";
  }

  private static YamlNode read(JsonParser p, Path file, String path) throws ConfigException {
    int line = line(p.currentTokenLocation());
    JsonToken token = p.currentToken();
    switch (token) {
      case START_OBJECT -> {
        Map<String, Entry> entries = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
          String key = p.currentName();
          int keyLine = line(p.currentTokenLocation());
          String keyPath = path.isEmpty() ? key : path + "." + key;
          Entry previous = entries.get(key);
          if (previous != null) {
            throw new ConfigException(file, keyLine, keyPath, "duplicate key (first at line " + previous.line() + ")");
          }
          p.nextToken();
          entries.put(key, new Entry(key, keyLine, read(p, file, keyPath)));
        }
        return new MapNode(line, Collections.unmodifiableMap(entries));
      }
      case START_ARRAY -> {
        List<YamlNode> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          items.add(read(p, file, path + "[" + items.size() + "]"));
        }
        return new ListNode(line, List.copyOf(items));
      }
      case VALUE_NULL -> {
        return new Scalar(line, null, false);
      }
      case VALUE_STRING -> {
        return new Scalar(line, p.getString(), true);
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> {
        return new Scalar(line, p.getString(), false);
      }
      default -> throw new ConfigException(file, line, path.isEmpty() ? null : path,
          "unsupported YAML value (" + token + ")");
    }
  }

  private static int line(TokenStreamLocation location) {
    return Math.max(location.getLineNr(), 0);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "syntax error";
    }
    String stripped = message.strip();
    int nl = stripped.indexOf('\n');
    return nl < 0 ? stripped : stripped.substring(0, nl).strip();
  }
}
