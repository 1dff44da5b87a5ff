package dev.ferry.node.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code docs/grafana-ferry.json}, the Grafana dashboard shipped in the docs: it imports as
 * Grafana expects (a datasource variable every panel uses, unique panel ids), every metric its
 * queries use is one {@code docs/metrics.md} lists (whose names {@code MetricsEndToEndTest} finds
 * in a running node's {@code /metrics}), and every Ferry metric listed there is on it.
 */
class GrafanaDashboardTest {
  private static final Path DOCS = Path.of("..", "docs");
  private static final Pattern METRIC = Pattern.compile("\\b((?:ferry|jvm|process|system)_[a-z0-9_]+)");
  private static final Pattern DOCUMENTED = Pattern.compile("`((?:ferry|jvm|process|system)_[a-z0-9_]+)`");
  /** What Prometheus adds to a histogram's name (Micrometer adds {@code _max}). */
  private static final List<String> SUFFIXES = List.of("_bucket", "_count", "_sum", "_max");

  private static JsonNode dashboard() throws IOException {
    return JsonMapper.builder().build().readTree(Files.readString(DOCS.resolve("grafana-ferry.json")));
  }

  private static Set<String> documented() throws IOException {
    Set<String> names = new TreeSet<>();
    Matcher m = DOCUMENTED.matcher(Files.readString(DOCS.resolve("metrics.md")));
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The metrics the queries use, a histogram's series by the histogram's documented name. */
  private static Set<String> used(Set<String> documented) throws IOException {
    Set<String> names = new TreeSet<>();
    for (JsonNode panel : dashboard().path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        Matcher m = METRIC.matcher(target.path("expr").asString());
        while (m.find()) {
          names.add(base(m.group(1), documented));
        }
      }
    }
    return names;
  }

  private static String base(String name, Set<String> documented) {
    for (String suffix : SUFFIXES) {
      if (name.endsWith(suffix) && documented.contains(name.substring(0, name.length() - suffix.length()))) {
        return name.substring(0, name.length() - suffix.length());
      }
    }
    return name;
  }

  @Test
  void everyMetricTheDashboardQueriesIsListedInMetricsMd() throws IOException {
    Set<String> documented = documented();
    Set<String> used = used(documented);
    assertThat(documented).as("metrics.md's names").hasSizeGreaterThan(30);
    assertThat(used).as("metrics the dashboard queries").hasSizeGreaterThan(25);
    assertThat(documented).containsAll(used);
  }

  @Test
  void everyFerryMetricListedInMetricsMdIsOnTheDashboard() throws IOException {
    Set<String> documented = documented();
    Set<String> used = used(documented);
    assertThat(used).containsAll(documented.stream().filter(n -> n.startsWith("ferry_")).toList());
  }

  @Test
  void theDashboardImportsWithADatasourceVariableEveryPanelUses() throws IOException {
    JsonNode d = dashboard();
    assertThat(d.path("title").asString()).isEqualTo("Ferry");
    assertThat(d.path("uid").asString()).isNotBlank();
    assertThat(d.path("schemaVersion").asInt()).isPositive();
    List<String> variables = d.path("templating").path("list").valueStream().map(v -> v.path("name").asString())
        .toList();
    assertThat(variables).containsExactly("datasource", "instance", "replica");
    Set<Integer> ids = new HashSet<>();
    int queried = 0;
    for (JsonNode panel : d.path("panels")) {
      assertThat(ids.add(panel.path("id").asInt())).as("panel ids are unique: %s", panel.path("title")).isTrue();
      JsonNode pos = panel.path("gridPos");
      assertThat(pos.path("x").asInt() + pos.path("w").asInt()).as("%s fits the grid", panel.path("title"))
          .isLessThanOrEqualTo(24);
      if (panel.path("type").asString().equals("row")) {
        continue;
      }
      assertThat(panel.path("datasource").path("uid").asString()).isEqualTo("${datasource}");
      assertThat(panel.path("targets").isEmpty()).as("%s has queries", panel.path("title")).isFalse();
      for (JsonNode target : panel.path("targets")) {
        assertThat(target.path("expr").asString()).as("%s", panel.path("title")).contains("$instance");
        queried++;
      }
    }
    assertThat(queried).isGreaterThan(20);
  }

  @Test
  void metricsMdPointsAtTheDashboard() throws IOException {
    assertThat(Files.readString(DOCS.resolve("metrics.md"))).contains("grafana-ferry.json");
  }
}
