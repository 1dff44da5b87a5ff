package dev.ferry.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.transport.BearerToken;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.KeyStoreFile;
import dev.ferry.transport.http.HttpServeConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code journal.serve.http} on a primary, {@code journal.from.http} on a replica node and the
 * node's own {@code http} server (one server with {@code serve.http} on the same address), refused
 * with the key's name.
 */
class HttpTransportConfigTest {
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
  void servesOnLocalhostPort8451WithoutATokenByDefault() throws ConfigException {
    FerryConfig c = parse(NODE + "  serve:\n    http: {}\n");
    assertThat(c.serve()).contains(new HttpServeConfig("127.0.0.1", 8451, Optional.empty()));
    assertThat(c.describe()).contains("serve http 127.0.0.1:8451, no token");
  }

  @Test
  void readsListenAndATokenFromTheEnvironmentAndNeverPrintsIt() throws ConfigException {
    FerryConfig c = parse(NODE + "  serve:\n    http:\n      listen: 0.0.0.0:9000\n      token: ${FERRY_TOKEN}\n");
    assertThat(c.serve()).contains(new HttpServeConfig("0.0.0.0", 9000, Optional.of(new BearerToken("tok-123"))));
    assertThat(c.describe()).contains("serve http 0.0.0.0:9000, token ****").doesNotContain("tok-123");
    assertThat(c.toString()).doesNotContain("tok-123");
    assertThat(parse(NODE + "  serve:\n    http:\n      listen: 8500\n").serve().orElseThrow().listen())
        .isEqualTo("127.0.0.1:8500");
    assertThat(parse(NODE + "  serve:\n    http:\n      listen: '[::1]:8500'\n").serve().orElseThrow().listen())
        .isEqualTo("[::1]:8500");
  }

  @Test
  void refusesBadListenAddressesUnknownKeysAndEmptyTokens() {
    assertThat(refused(NODE + "  serve:\n    http:\n      listen: localhost:http\n"))
        .isEqualTo("/etc/ferry/ferry.yaml:8: journal.serve.http.listen: 'localhost:http' is not host:port or a port");
    assertThat(refused(NODE + "  serve:\n    http:\n      listen: 70000\n"))
        .isEqualTo("/etc/ferry/ferry.yaml:8: journal.serve.http.listen: port 70000 is out of range 1..65535");
    assertThat(refused(NODE + "  serve:\n    http:\n      listen: ::1:80\n"))
        .startsWith("/etc/ferry/ferry.yaml:8: journal.serve.http.listen: '::1:80': write an IPv6 address in brackets");
    assertThat(refused(NODE + "  serve:\n    http:\n      port: 80\n"))
        .startsWith("/etc/ferry/ferry.yaml:8: journal.serve.http.port: unknown key (known: listen, token, keystore,");
    assertThat(refused(NODE + "  serve:\n    tcp: {}\n"))
        .startsWith("/etc/ferry/ferry.yaml:7: journal.serve.tcp: unknown key (known: http)");
    assertThat(refused(NODE + "  serve:\n    http:\n      token: ''\n"))
        .isEqualTo("/etc/ferry/ferry.yaml:8: journal.serve.http.token: is empty (an unset ${VAR}?); remove the key"
            + " for no token");
    assertThat(refused(NODE + "  serve:\n    http:\n      token: two words\n"))
        .startsWith("/etc/ferry/ferry.yaml:8: journal.serve.http.token: a token is printable ASCII without spaces");
  }

  @Test
  void readsTheReplicaNodesAPrimaryKeepsSegmentsForAndTheNameANodeReportsUnder() throws ConfigException {
    FerryConfig primary = parse(NODE + "  serve:\n    http:\n      consumers: [east, west-2]\n");
    assertThat(primary.serve().orElseThrow().consumers()).containsExactly("east", "west-2");
    assertThat(HttpServeConfig.consumerName("east")).isEqualTo("http.east");
    assertThat(refused(NODE + "  serve:\n    http:\n      consumers: [east, east]\n"))
        .isEqualTo("/etc/ferry/ferry.yaml:8: journal.serve.http.consumers[1]: 'east' is listed twice");
    assertThat(refused(NODE + "  serve:\n    http:\n      consumers: [a.b]\n"))
        .startsWith("/etc/ferry/ferry.yaml:8: journal.serve.http.consumers[0]: 'a.b' is not a replica node's name");
    assertThat(refused(NODE + "  serve:\n    http:\n      consumers: east\n"))
        .startsWith("/etc/ferry/ferry.yaml:8: journal.serve.http.consumers: expected a list of names");
    FerryConfig node = parse(NODE + "  from:\n    http:\n      url: http://10.0.0.1:8451/\n      consumer: east\n");
    assertThat(((JournalFrom.Http) node.from().orElseThrow()).consumer()).contains("east");
    assertThat(refused(NODE + "  from:\n    http:\n      url: http://10.0.0.1:8451/\n      consumer: 'x y'\n"))
        .startsWith("/etc/ferry/ferry.yaml:9: journal.from.http.consumer: 'x y' is not a replica node's name");
  }

  @Test
  void readsWhereACopyIsPulledFrom() throws ConfigException {
    FerryConfig c = parse(NODE + "  from:\n    http:\n      url: http://primary.internal:8451\n"
        + "      token: ${FERRY_TOKEN}\n      poll-interval: 250ms\n      retry-max: 10s\n");
    assertThat(c.from()).contains(new JournalFrom.Http(URI.create("http://primary.internal:8451/"),
        Optional.of(new BearerToken("tok-123")), Duration.ofMillis(250), Duration.ofSeconds(10)));
    assertThat(c.describe()).contains("from http http://primary.internal:8451/, token ****, poll-interval 250ms,"
        + " retry-max 10s").doesNotContain("tok-123");
    JournalFrom.Http plain = (JournalFrom.Http) parse(NODE + "  from:\n    http:\n      url: https://cdn.example/ferry/\n")
        .from().orElseThrow();
    assertThat(plain.token()).isEmpty();
    assertThat(plain.pollInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(plain.retryMax()).isEqualTo(Duration.ofSeconds(30));
    assertThat(plain.timeout()).isEqualTo(Duration.ofSeconds(30));
    FerryConfig quick = parse(NODE + "  from:\n    http:\n      url: http://x/\n      timeout: 3s\n");
    assertThat(((JournalFrom.Http) quick.from().orElseThrow()).timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(quick.describe()).contains("retry-max 30s, timeout 3s");
    assertThat(refused(NODE + "  from:\n    http:\n      url: http://x/\n      timeout: 0s\n"))
        .isEqualTo("/etc/ferry/ferry.yaml:9: journal.from.http.timeout: must be longer than zero, got '0s'");
  }

  @Test
  void refusesBadUrlsBothSourcesAndMisplacedKeys() throws ConfigException {
    assertThat(refused(NODE + "  from:\n    http:\n      url: ftp://x/\n"))
        .isEqualTo("/etc/ferry/ferry.yaml:8: journal.from.http.url: 'ftp://x/' is not an http:// or https:// URL"
            + " with a host");
    assertThat(refused(NODE + "  from:\n    http:\n      url: http://u:pw@x/\n"))
        .isEqualTo("/etc/ferry/ferry.yaml:8: journal.from.http.url: 'x': put no credentials in the URL; use token");
    assertThat(refused(NODE + "  from:\n    http:\n      token: t\n"))
        .isEqualTo("/etc/ferry/ferry.yaml:7: journal.from.http.url: required key is missing");
    assertThat(refused(NODE + "  from:\n    directory: /in\n    http:\n      url: http://x/\n"))
        .startsWith("/etc/ferry/ferry.yaml:8: journal.from.http: contradicts journal.from.directory (line 7)");
    assertThat(refused(NODE + "  from:\n    http:\n      url: http://x/\n    poll-interval: 1s\n"))
        .isEqualTo("/etc/ferry/ferry.yaml:9: journal.from.poll-interval: applies to directory; give it as"
            + " journal.from.http.poll-interval");
    assertThat(refused(NODE + "  from:\n    http:\n      url: http://x/\n      poll-interval: 5s\n      retry-max: 1s\n"))
        .isEqualTo("/etc/ferry/ferry.yaml:10: journal.from.http.retry-max: 1s is shorter than poll-interval 5s");
    FerryConfig cascading = parse(NODE + "  from:\n    http:\n      url: http://x/\n  serve:\n    http:\n"
        + "      consumers: [c]\n");
    assertThat(cascading.serve().orElseThrow().consumers()).as("a replica node serves its copy again").containsExactly("c");
  }

  @Test
  void readsKeyAndTrustStoresForTlsAndNeverPrintsTheirPasswords() throws ConfigException {
    FerryConfig primary = parse(NODE + "  serve:\n    http:\n      keystore: tls/server.p12\n"
        + "      keystore-password: ${FERRY_TOKEN}\n");
    HttpServeConfig serve = primary.serve().orElseThrow();
    assertThat(serve.scheme()).isEqualTo("https");
    assertThat(serve.keyStore()).contains(new KeyStoreFile(Path.of("/etc/ferry/tls/server.p12"), "tok-123"));
    assertThat(primary.describe()).contains("serve https 127.0.0.1:8451, no token, keystore /etc/ferry/tls/server.p12"
        + " (password ****)").doesNotContain("tok-123");
    FerryConfig replica = parse(NODE + "  from:\n    http:\n      url: https://a:8451/\n      truststore: /t.p12\n");
    assertThat(((JournalFrom.Http) replica.from().orElseThrow()).trustStore())
        .contains(new KeyStoreFile(Path.of("/t.p12"), ""));
    assertThat(refused(NODE + "  from:\n    http:\n      url: http://a:8451/\n      truststore: /t.p12\n"))
        .isEqualTo("/etc/ferry/ferry.yaml:9: journal.from.http.truststore: is for an https:// URL;"
            + " journal.from.http.url is 'http://a:8451/'");
    assertThat(refused(NODE + "  serve:\n    http:\n      keystore-password: x\n"))
        .isEqualTo("/etc/ferry/ferry.yaml:8: journal.serve.http.keystore-password: is given without"
            + " journal.serve.http.keystore");
  }

  // The node's own server, http: (localhost by default, a token elsewhere, shared with serve.http on one address).

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
