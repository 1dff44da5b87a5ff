package dev.ferry.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.transport.BearerToken;
import dev.ferry.transport.http.HttpServeConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The node's {@code http:} server: localhost by default, a token required elsewhere, and one server
 * with {@code journal.serve.http} when both listen on the same address — refused when they disagree.
 */
class NodeHttpConfigTest {
  private static final Path FILE = Path.of("/etc/ferry/ferry.yaml");
  private static final String NODE = """
      source:
        name: primary
        url: jdbc:postgresql://10.0.0.1:5432/app?user=ferry
      journal:
        dir: /var/lib/ferry/journal
      """;

  private static FerryConfig parse(String yaml) throws ConfigException {
    return FerryConfig.parse(yaml, FILE, Map.of("FERRY_TOKEN", "tok-123"));
  }

  private static String refused(String yaml) {
    try {
      parse(yaml);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("tok-123");
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + yaml);
  }

  @Test
  void listensOnLocalhostPort8451WithoutATokenByDefault() throws ConfigException {
    FerryConfig c = parse(NODE + "http: {}\n");
    assertThat(c.http()).contains(new HttpServeConfig("127.0.0.1", 8451, Optional.empty()));
    assertThat(c.httpServesJournal()).isFalse();
    assertThat(c.describe()).contains("http http 127.0.0.1:8451, no token");
    assertThat(parse(NODE).http()).isEmpty();
  }

  @Test
  void anAddressOtherThanLoopbackNeedsAToken() throws ConfigException {
    assertThat(refused(NODE + "http:\n  listen: 0.0.0.0:9100\n"))
        .startsWith("/etc/ferry/ferry.yaml:7: http.listen: '0.0.0.0:9100' is reachable from other machines: set"
            + " http.token");
    FerryConfig c = parse(NODE + "http:\n  listen: 0.0.0.0:9100\n  token: ${FERRY_TOKEN}\n");
    assertThat(c.http()).contains(new HttpServeConfig("0.0.0.0", 9100, Optional.of(new BearerToken("tok-123"))));
    assertThat(c.describe()).contains("http http 0.0.0.0:9100, token ****").doesNotContain("tok-123");
    assertThat(parse(NODE + "http:\n  listen: '[::1]:9100'\n").http().orElseThrow().host()).isEqualTo("::1");
  }

  @Test
  void sharesOneServerWithTheJournalsOnTheSameAddress() throws ConfigException {
    FerryConfig c = parse(NODE + "  serve:\n    http: { listen: 9200 }\nhttp: { listen: 9200 }\n");
    assertThat(c.httpServesJournal()).isTrue();
    assertThat(c.describe()).contains("also serves the journal");
    assertThat(parse(NODE + "  serve:\n    http: { listen: 9200 }\nhttp: { listen: 9300 }\n").httpServesJournal())
        .isFalse();
  }

  @Test
  void refusesASharedPortWithAnotherHostTokenOrKeyStore() {
    assertThat(refused(NODE + "  serve:\n    http: { listen: 9200 }\nhttp: { listen: '[::1]:9200' }\n"))
        .contains("http.listen: shares port 9200 with journal.serve.http (line 6): one server answers both, so give"
            + " both the same listen ('127.0.0.1:9200' there), or other ports");
    assertThat(refused(NODE + "  serve:\n    http: { listen: 9200 }\nhttp: { listen: 9200, token: x }\n"))
        .contains("http.token: shares port 9200").endsWith("give both the same token");
    assertThat(refused(NODE + "  serve:\n    http: { listen: 9200 }\nhttp: { listen: 9200, keystore: /k.p12 }\n"))
        .contains("http.keystore: shares port 9200").endsWith("give both the same keystore");
  }

  @Test
  void refusesUnknownKeysAndBadPorts() {
    assertThat(refused(NODE + "http: { port: 80 }\n")).contains("http.port: unknown key");
    assertThat(refused(NODE + "http: { listen: 70000 }\n")).contains("http.listen: port 70000 is out of range");
  }
}
