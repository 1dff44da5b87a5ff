package dev.ferry.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's "Five minutes" guide as a test follows it: its SQL blocks, its {@code ferry.yaml}
 * and its shell commands, read from the README itself so that the test breaks when the guide does.
 */
final class ReadmeGuide {
  private static final Pattern BLOCK = Pattern.compile("```(\\w+)\\n(.*?)```", Pattern.DOTALL);

  /** One shell line of the guide: the environment it sets and the arguments after {@code bin/ferry}. */
  record Command(Map<String, String> env, List<String> args) {
  }

  private final String guide;

  private ReadmeGuide(String guide) {
    this.guide = guide;
  }

  static ReadmeGuide read() throws IOException {
    Path home = Path.of(System.getProperty("ferry.home", "..")).toAbsolutePath().normalize();
    String readme = Files.readString(home.resolve("README.md"));
    int start = readme.indexOf("## Five minutes");
    int end = readme.indexOf("\n## ", start + 1);
    if (start < 0) {
      throw new IllegalStateException("README.md has no '## Five minutes' section");
    }
    return new ReadmeGuide(readme.substring(start, end < 0 ? readme.length() : end));
  }

  /** The SQL block whose first line is the comment {@code -- on the <side>…}. */
  String sql(String side) {
    return blocks("sql").stream().filter(b -> b.startsWith("-- on the " + side)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no SQL block for the " + side + " in the guide"));
  }

  String yaml() {
    return blocks("yaml").getFirst();
  }

  /** The guide's {@code bin/ferry} commands, in order, with the variables each line sets or exported before. */
  List<Command> commands() {
    List<Command> out = new ArrayList<>();
    Map<String, String> exported = new LinkedHashMap<>();
    for (String line : blocks("sh").getFirst().split("\n")) {
      String code = line.replaceAll("\\s+#.*$", "").strip();
      if (code.startsWith("export ")) {
        String assignment = code.substring("export ".length()).strip();
        int eq = assignment.indexOf('=');
        exported.put(assignment.substring(0, eq), assignment.substring(eq + 1));
        continue;
      }
      Map<String, String> env = new LinkedHashMap<>(exported);
      List<String> args = new ArrayList<>();
      boolean ferry = false;
      for (String word : code.split("\\s+")) {
        if (ferry) {
          args.add(word);
        } else if (word.equals("bin/ferry")) {
          ferry = true;
        } else if (word.contains("=")) {
          env.put(word.substring(0, word.indexOf('=')), word.substring(word.indexOf('=') + 1));
        }
      }
      if (ferry) {
        out.add(new Command(env, args));
      }
    }
    return out;
  }

  private List<String> blocks(String language) {
    List<String> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(guide);
    while (m.find()) {
      if (m.group(1).equals(language)) {
        out.add(m.group(2));
      }
    }
    return out;
  }
}
