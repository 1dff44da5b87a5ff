package dev.ferry.node.config;

import dev.ferry.transport.BearerToken;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.KeyStoreFile;
import dev.ferry.transport.http.HttpServeConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The HTTP transport's keys: {@code journal.serve.http} on a primary, {@code journal.from.http} on
 * a replica node, each read once into ferry-transport's records with its defaults written here.
 * Stateless.
 */
final class TransportSettings {
  private static final String CONSUMER_RULE = "a replica node's name (1 to 64 letters, digits, '_' or '-')";

  /** The port of {@code journal.serve.http.listen} when it is not given. */
  static final int DEFAULT_PORT = 8451;

  private TransportSettings() {
  }

  /** {@code journal.serve: {http: {listen, token}}}; empty when absent. */
  static Optional<HttpServeConfig> serve(Section journal) throws ConfigException {
    Optional<Section> serve = journal.section("serve", "http");
    if (serve.isEmpty()) {
      return Optional.empty();
    }
    Optional<Section> http = serve.get().section("http", "listen", "token", "keystore", "keystore-password",
        "consumers");
    if (http.isEmpty()) {
      throw serve.get().missing("http");
    }
    return Optional.of(listener(http.get()));
  }

  /**
   * A server's {@code listen} (default {@code 127.0.0.1:8451}), {@code token}, {@code keystore},
   * {@code keystore-password} and (only {@code journal.serve.http} knows the key) {@code
   * consumers}: {@code journal.serve.http} and the node's {@code http}.
   */
  static HttpServeConfig listener(Section h) throws ConfigException {
    HostPort at = hostPort(h, "listen", HttpServeConfig.DEFAULT_HOST, DEFAULT_PORT, true);
    List<String> consumers = h.names("consumers", HttpServeConfig.CONSUMER, CONSUMER_RULE);
    return new HttpServeConfig(at.host(), at.port(), token(h), store(h, "keystore"), consumers);
  }

  /** A host and a port, from {@code host:port} (IPv6 in brackets). */
  record HostPort(String host, int port) {
  }

  /**
   * {@code k} as {@code host:port}, or a port alone (then {@code defaultHost}) when {@code portAlone}
   * allows it; {@code defaultHost:defaultPort} when the key is absent.
   */
  static HostPort hostPort(Section h, String k, String defaultHost, int defaultPort, boolean portAlone)
      throws ConfigException {
    String listen = h.string(k).orElse(defaultHost + ":" + defaultPort).strip();
    String host = defaultHost;
    String port = listen;
    int colon = listen.lastIndexOf(':');
    if (colon < 0 && !portAlone) {
      throw h.error(k, "'" + listen + "' is not host:port");
    }
    if (colon >= 0) {
      host = listen.substring(0, colon);
      port = listen.substring(colon + 1);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      } else if (host.contains(":")) {
        throw h.error(k, "'" + listen + "': write an IPv6 address in brackets, like [::1]:" + defaultPort);
      }
      if (host.isBlank()) {
        throw h.error(k, "'" + listen + "' has no host; give host:port" + (portAlone ? " or a port alone (then "
            + defaultHost + ")" : ""));
      }
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw h.error(k, "'" + listen + "' is not host:port" + (portAlone ? " or a port" : ""));
    }
    if (p < 1 || p > 65_535) {
      throw h.error(k, "port " + p + " is out of range 1..65535");
    }
    return new HostPort(host, p);
  }

  /** {@code journal.from.http: {url, token, poll-interval, retry-max, timeout, truststore, consumer}}. */
  static JournalFrom.Http http(Section from) throws ConfigException {
    if (from.has("directory")) {
      int later = Math.max(from.lineOf("directory"), from.lineOf("http"));
      String k = later == from.lineOf("http") ? "http" : "directory";
      String other = k.equals("http") ? "directory" : "http";
      throw from.error(k, "contradicts " + from.key(other) + " (line " + from.lineOf(other)
          + "): a copy comes from one place, give a directory or http, not both");
    }
    if (from.has("poll-interval")) {
      throw from.error("poll-interval", "applies to directory; give it as " + from.key("http") + ".poll-interval");
    }
    Section h = from.section("http", "url", "token", "poll-interval", "retry-max", "timeout", "truststore",
        "truststore-password", "consumer").orElseThrow();
    String raw = h.requiredString("url").strip();
    URI url;
    try {
      url = new URI(raw);
    } catch (URISyntaxException e) {
      throw h.error("url", "'" + raw + "' is not a URL: " + e.getReason());
    }
    Duration poll = h.duration("poll-interval", JournalFrom.Http.DEFAULT_POLL);
    Duration retryMax = h.duration("retry-max", JournalFrom.Http.DEFAULT_RETRY_MAX.compareTo(poll) < 0 ? poll
        : JournalFrom.Http.DEFAULT_RETRY_MAX);
    if (retryMax.compareTo(poll) < 0) {
      throw h.error("retry-max", Durations.format(retryMax) + " is shorter than poll-interval "
          + Durations.format(poll));
    }
    Duration timeout = h.duration("timeout", JournalFrom.Http.DEFAULT_TIMEOUT);
    Optional<BearerToken> token = token(h);
    Optional<KeyStoreFile> trust = store(h, "truststore");
    if (trust.isPresent() && !"https".equalsIgnoreCase(url.getScheme())) {
      throw h.error("truststore", "is for an https:// URL; " + h.key("url") + " is '" + raw + "'");
    }
    Optional<String> consumer = h.string("consumer").map(String::strip);
    if (consumer.isPresent() && !HttpServeConfig.CONSUMER.matcher(consumer.get()).matches()) {
      throw h.error("consumer", "'" + consumer.get() + "' is not " + CONSUMER_RULE);
    }
    try {
      return new JournalFrom.Http(url, token, poll, retryMax, trust, consumer, timeout);
    } catch (IllegalArgumentException e) {
      throw h.error("url", e.getMessage());
    }
  }

  /** {@code keystore}/{@code truststore} and its {@code -password} (empty when not given). */
  static Optional<KeyStoreFile> store(Section h, String k) throws ConfigException {
    Optional<Path> path = h.path(k);
    if (path.isEmpty()) {
      if (h.has(k + "-password")) {
        throw h.error(k + "-password", "is given without " + h.key(k));
      }
      return Optional.empty();
    }
    return Optional.of(new KeyStoreFile(path.get(), h.string(k + "-password").orElse("")));
  }

  private static Optional<BearerToken> token(Section h) throws ConfigException {
    if (!h.has("token")) {
      return Optional.empty();
    }
    String value = h.string("token").orElseThrow();
    if (value.isEmpty()) {
      throw h.error("token", "is empty (an unset ${VAR}?); remove the key for no token");
    }
    try {
      return Optional.of(new BearerToken(value));
    } catch (IllegalArgumentException e) {
      throw h.error("token", e.getMessage());
    }
  }
}
