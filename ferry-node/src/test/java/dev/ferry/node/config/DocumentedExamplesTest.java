package dev.ferry.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The example files in docs/configuration.md load, so the documentation cannot drift from the code. */
class DocumentedExamplesTest {
  private static final Path DOC = Path.of("..", "docs", "configuration.md");
  private static final Map<String, String> ENV = Map.of("PGPASSWORD", "pw1", "R1_PASSWORD", "pw2", "MARIADB_PASSWORD",
      "pw3");

  private static List<String> yamlBlocks() throws IOException {
    Matcher m = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(DOC));
    List<String> blocks = new ArrayList<>();
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  @Test
  void postgresMariaDbAndSqliteExamplesLoad() throws IOException, ConfigException {
    List<String> blocks = yamlBlocks();
    assertThat(blocks).hasSize(3);

    FerryConfig pg = FerryConfig.parse(blocks.get(0), Path.of("/etc/ferry/ferry.yaml"), ENV);
    FerryConfig maria = FerryConfig.parse(blocks.get(1), Path.of("/etc/ferry/ferry.yaml"), ENV);
    FerryConfig sqlite = FerryConfig.parse(blocks.get(2), Path.of("/srv/shop/ferry.yaml"), ENV);

    assertThat(pg.source().url().kind()).isEqualTo(JdbcUrl.Kind.POSTGRESQL);
    assertThat(pg.replicas()).extracting(ReplicaSettings::name).containsExactly("r1", "reporting");
    assertThat(pg.describe()).doesNotContain("pw1").doesNotContain("pw2");
    assertThat(maria.source().capture().kind()).isEqualTo("mariadb");
    assertThat(maria.describe()).doesNotContain("pw3");
    assertThat(sqlite.source().url().kind()).isEqualTo(JdbcUrl.Kind.SQLITE);
    assertThat(sqlite.journal().directory()).isEqualTo(Path.of("/srv/shop/journal"));
  }
}
