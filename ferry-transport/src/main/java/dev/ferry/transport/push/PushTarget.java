package dev.ferry.transport.push;

import dev.ferry.transport.KeyStoreFile;
import dev.ferry.transport.SharedSecret;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One replica node a primary pushes its journal to ({@code journal.push[]} in {@code ferry.yaml}).
 * Immutable; components never null.
 *
 * @param name the replica node's name, in logs and status
 * @param host the receiver's host
 * @param port the receiver's port ({@code journal.from.listen} on the replica node)
 * @param secret the shared secret both ends prove
 * @param trustStore when set, the link is TLS and the receiver's certificate must be in it
 * @param link heartbeat, timeout, retry and chunk settings
 * @param sync whether and how far the source's commits wait for this replica
 * @param syncTimeout how long a synchronous replica may fail to acknowledge before it is excluded
 */
public record PushTarget(String name, String host, int port, SharedSecret secret, Optional<KeyStoreFile> trustStore,
    LinkTiming link, SyncLevel sync, Duration syncTimeout) {
  public static final Duration DEFAULT_SYNC_TIMEOUT = Duration.ofSeconds(10);

  public PushTarget {
    if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException("a push target's name is 1-64 letters, digits, '_', '.', '-', got '"
          + name + "'");
    }
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("push target " + name + ": host must be set");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("push target " + name + ": port " + port + " is out of range 1..65535");
    }
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(trustStore, "trustStore");
    Objects.requireNonNull(link, "link");
    Objects.requireNonNull(sync, "sync");
    if (syncTimeout == null || !syncTimeout.isPositive()) {
      throw new IllegalArgumentException("push target " + name + ": sync-timeout must be positive");
    }
  }

  /** A plain, asynchronous target with default timing. */
  public PushTarget(String name, String host, int port, SharedSecret secret) {
    this(name, host, port, secret, Optional.empty(), LinkTiming.DEFAULT, SyncLevel.NONE, DEFAULT_SYNC_TIMEOUT);
  }

  /**
   * The journal consumer that keeps the primary's sealed segments until this replica node has them:
   * {@code push.<name>}, as a local replica's name holds them for it.
   */
  public String consumerName() {
    return "push." + name;
  }

  /** {@code host:port}, bracketing an IPv6 address. */
  public String address() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
