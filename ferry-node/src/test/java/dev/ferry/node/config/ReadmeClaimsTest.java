package dev.ferry.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and the docs claim only what the code does: the README's configuration loads, the
 * databases it names are the ones a configuration accepts, and features that are not built
 * (MySQL) are only ever mentioned as not built. MariaDB capture, HTTP shipping of sealed segments,
 * TCP push (issue 16, issue 14), {@code ferry promote} (with {@code --fetch-from}), {@code ferry rejoin}
 * and {@code ferry failover} (issue 17) are built, so they are no longer on the list.
 */
class ReadmeClaimsTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern UNBUILT = Pattern.compile(
      "(?i)mysql(?!` os user|-binlog-connector)");
  private static final Pattern SAYS_UNBUILT = Pattern.compile("(?i)not built|not written|not yet");

  @Test
  void theReadmeConfigurationLoads() throws IOException, ConfigException {
    Matcher m = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(read(ROOT.resolve("README.md")));
    assertThat(m.find()).as("a yaml block in the README").isTrue();

    FerryConfig config = FerryConfig.parse(m.group(1), Path.of("/etc/ferry/ferry.yaml"),
        Map.of("PGPASSWORD", "pw1", "REPLICA_PASSWORD", "pw2"));

    assertThat(config.source().url().kind()).isEqualTo(JdbcUrl.Kind.POSTGRESQL);
    assertThat(config.replicas()).extracting(ReplicaSettings::name).containsExactly("r1");
  }

  @Test
  void theReadmeNamesExactlyTheDatabasesAConfigurationAccepts() throws IOException {
    String intro = read(ROOT.resolve("README.md")).split("\n\n")[1];

    assertThat(Arrays.stream(JdbcUrl.Kind.values()).map(Enum::name))
        .as("when a database is added, the README's first paragraph changes with it")
        .containsExactly("POSTGRESQL", "SQLITE", "MARIADB");
    assertThat(intro).contains("from PostgreSQL, SQLite or MariaDB").contains("to\nPostgreSQL, SQLite and MariaDB replicas")
        .contains("its DDL is replicated to MariaDB replicas only");
  }

  @Test
  void featuresNotBuiltAreOnlyMentionedAsNotBuilt() throws IOException {
    List<Path> documents = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
    }
    assertThat(documents).as("README and docs/*.md").hasSizeGreaterThan(5);

    List<String> claims = new ArrayList<>();
    for (Path doc : documents) {
      String heading = "";
      for (String paragraph : read(doc).split("\n\\s*\n")) {
        heading = paragraph.startsWith("#") ? paragraph : heading;
        // A paragraph, or the section it is in ("## Not yet"), that says so.
        boolean saysUnbuilt = SAYS_UNBUILT.matcher(heading).find() || SAYS_UNBUILT.matcher(paragraph).find();
        for (String line : paragraph.split("\n")) {
          if (UNBUILT.matcher(line).find() && !saysUnbuilt) {
            claims.add(doc.getFileName() + ": " + line.strip());
          }
        }
      }
    }
    assertThat(claims).as("lines that present an unbuilt feature as built").isEmpty();
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file);
  }
}
