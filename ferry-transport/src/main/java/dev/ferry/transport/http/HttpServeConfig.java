package dev.ferry.transport.http;

import dev.ferry.transport.BearerToken;
import dev.ferry.transport.KeyStoreFile;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Settings of the {@link SegmentServer} ({@code journal.serve.http} in {@code ferry.yaml}).
 * Immutable; components never null.
 *
 * @param host the address to listen on (default {@code 127.0.0.1}: this machine only)
 * @param port the TCP port (0: any free port, for tests)
 * @param token when set, every request must carry {@code Authorization: Bearer <token>}
 * @param keyStore when set, the server speaks HTTPS only, with the certificate and key in it
 * @param consumers the replica nodes this journal keeps sealed segments for until each reports it
 *     has them ({@code journal.from.http.consumer} on that node): each is a consumer of the journal
 *     named {@link #consumerName(String) http.<name>}, as a local replica is
 */
public record HttpServeConfig(String host, int port, Optional<BearerToken> token, Optional<KeyStoreFile> keyStore,
    List<String> consumers) {
  /** The address listened on when {@code listen} names only a port. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** What a remote consumer's name may be: it becomes part of a file name on the primary. */
  public static final Pattern CONSUMER = dev.ferry.transport.JournalFrom.CONSUMER_NAME;

  public HttpServeConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("journal.serve.http host must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("journal.serve.http port " + port + " is out of range 0..65535");
    }
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(keyStore, "keyStore");
    consumers = List.copyOf(consumers);
    for (String c : consumers) {
      if (!CONSUMER.matcher(c).matches()) {
        throw new IllegalArgumentException("journal.serve.http consumer '" + c + "' must match " + CONSUMER.pattern());
      }
    }
  }

  /** No remote consumers. */
  public HttpServeConfig(String host, int port, Optional<BearerToken> token, Optional<KeyStoreFile> keyStore) {
    this(host, port, token, keyStore, List.of());
  }

  /** Plain HTTP, no remote consumers. */
  public HttpServeConfig(String host, int port, Optional<BearerToken> token) {
    this(host, port, token, Optional.empty());
  }

  /** The journal consumer that holds segments for the remote node {@code consumer}. */
  public static String consumerName(String consumer) {
    return "http." + consumer;
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
