package dev.ferry.transport.http;

import dev.ferry.transport.BearerToken;
import dev.ferry.transport.KeyStoreFile;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the {@link SegmentServer} ({@code journal.serve.http} in {@code ferry.yaml}).
 * Immutable; components never null.
 *
 * @param host the address to listen on (default {@code 127.0.0.1}: this machine only)
 * @param port the TCP port (0: any free port, for tests)
 * @param token when set, every request must carry {@code Authorization: Bearer <token>}
 * @param keyStore when set, the server speaks HTTPS only, with the certificate and key in it
 */
public record HttpServeConfig(String host, int port, Optional<BearerToken> token, Optional<KeyStoreFile> keyStore) {
  /** The address listened on when {@code listen} names only a port. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  public HttpServeConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("journal.serve.http host must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("journal.serve.http port " + port + " is out of range 0..65535");
    }
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(keyStore, "keyStore");
  }

  /** Plain HTTP. */
  public HttpServeConfig(String host, int port, Optional<BearerToken> token) {
    this(host, port, token, Optional.empty());
  }

  /** {@code https} with a key store, else {@code http}. */
  public String scheme() {
    return keyStore.isPresent() ? "https" : "http";
  }

  /** {@code host:port}, bracketing an IPv6 address. */
  public String listen() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
