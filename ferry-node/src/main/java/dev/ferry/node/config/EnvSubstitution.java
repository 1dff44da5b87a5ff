package dev.ferry.node.config;

import java.util.Map;

/**
 * {@code ${VAR}} and {@code ${VAR:-default}} in configuration values, replaced by the environment
 * variable; the default is used when the variable is unset or empty (as in the shell). {@code $${} writes a literal
 * {@code ${}. One pass: a substituted value is not substituted again.
 */
final class EnvSubstitution {
  private EnvSubstitution() {
  }

  /**
   * @throws IllegalArgumentException naming the variable when it is unset and has no default, or
   *     when a {@code ${} is not closed or names no variable
   */
  static String apply(String text, Map<String, String> env) {
    if (!text.contains("${")) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith("$${", i)) {
        out.append("${");
        i += 3;
      } else if (text.startsWith("${", i)) {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          throw new IllegalArgumentException("'${' at character " + (i + 1) + " is not closed by '}'");
        }
        out.append(resolve(text.substring(i + 2, end), env));
        i = end + 1;
      } else {
        out.append(text.charAt(i++));
      }
    }
    return out.toString();
  }

  private static String resolve(String expression, Map<String, String> env) {
    int dash = expression.indexOf(":-");
    String name = dash < 0 ? expression : expression.substring(0, dash);
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("'${" + expression + "}' does not name an environment variable "
          + "(letters, digits, _)");
    }
    String value = env.get(name);
    if (value != null && (dash < 0 || !value.isEmpty())) {
      return value;
    }
    if (dash >= 0) {
      return expression.substring(dash + 2);
    }
    throw new IllegalArgumentException("environment variable " + name + " is not set (write ${" + name
        + ":-default} to give a default)");
  }
}
