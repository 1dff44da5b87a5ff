package dev.ferry.node.config;

import dev.ferry.transport.http.HttpServeConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The node's {@code http:} section: the one HTTP server of the node (admin API, {@code /metrics}),
 * which also serves the journal's segments when {@code journal.serve.http} listens on the same
 * address. Stateless.
 */
final class HttpSettings {
  private HttpSettings() {
  }

  /**
   * {@code http: {listen, token, keystore, keystore-password}}; empty when absent. A server bound
   * to an address other than loopback must have a token; one sharing its port with {@code
   * journal.serve.http} must be that server (same listen, token and key store).
   */
  static Optional<HttpServeConfig> read(Section root, Optional<HttpServeConfig> serve, int serveLine)
      throws ConfigException {
    Optional<Section> section = root.section("http", "listen", "token", "keystore", "keystore-password");
    if (section.isEmpty()) {
      return Optional.empty();
    }
    Section h = section.get();
    HttpServeConfig http = TransportSettings.listener(h);
    if (http.token().isEmpty() && !loopback(h, http.host())) {
      throw h.error("listen", "'" + http.listen() + "' is reachable from other machines: set " + h.key("token")
          + " (every request then needs Authorization: Bearer <token>), or listen on 127.0.0.1");
    }
    if (serve.isPresent() && serve.get().port() == http.port()) {
      HttpServeConfig s = serve.get();
      String shared = "shares port " + http.port() + " with journal.serve.http (line " + serveLine
          + "): one server answers both, so ";
      if (!s.host().equals(http.host())) {
        throw h.error("listen", shared + "give both the same listen ('" + s.listen() + "' there), or other ports");
      }
      if (!s.token().equals(http.token())) {
        throw h.error(h.has("token") ? "token" : "listen", shared + "give both the same token");
      }
      if (!s.keyStore().equals(http.keyStore())) {
        throw h.error(h.has("keystore") ? "keystore" : "listen", shared + "give both the same keystore");
      }
    }
    return Optional.of(http);
  }

  private static boolean loopback(Section h, String host) throws ConfigException {
    try {
      InetAddress[] all = InetAddress.getAllByName(host);
      for (InetAddress a : all) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return all.length > 0;
    } catch (UnknownHostException e) {
      throw h.error("listen", "host '" + host + "' is not known on this machine");
    }
  }
}
