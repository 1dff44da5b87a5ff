package dev.ferry.transport;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a replica node's journal copy comes from ({@code journal.from} in {@code ferry.yaml}).
 * Immutable; components never null.
 */
public sealed interface JournalFrom {
  /** What a replica node's consumer name may be ({@code from.http.consumer}): it becomes part of a file name on the primary. */
  java.util.regex.Pattern CONSUMER_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /**
   * An incoming directory that some file transfer fills with the primary's sealed segments (its
   * {@code journal.archive.dir}, an {@code archive.command}, rsync, scp, a shared volume).
   *
   * @param incoming the directory scanned
   * @param pollInterval how long to wait between scans when the next segment is not there (default 1 s)
   */
  record Directory(Path incoming, Duration pollInterval) implements JournalFrom {
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(1);

    public Directory {
      if (incoming == null) {
        throw new IllegalArgumentException("journal.from directory must be set");
      }
      if (pollInterval == null || !pollInterval.isPositive()) {
        throw new IllegalArgumentException("journal.from poll-interval must be positive, got " + pollInterval);
      }
    }

    public Directory(Path incoming) {
      this(incoming, DEFAULT_POLL);
    }
  }

  /**
   * An HTTP server holding the primary's sealed segments and their {@link SegmentListing}: Ferry's
   * own ({@code journal.serve.http} on the primary) or any static file server that serves an
   * archive directory ({@code journal.archive.dir}, which holds {@code segments.list}).
   *
   * @param url the base URL; the listing is {@code <url>segments.list}, a segment {@code <url><file name>}
   * @param token sent as {@code Authorization: Bearer}, if set
   * @param pollInterval how long to wait between looks at the listing when the next segment is not
   *     there (default 1 s); after a failure the wait doubles up to {@code retryMax}
   * @param retryMax the longest wait after failures (default 30 s)
   * @param trustStore for an {@code https} URL, the certificates trusted instead of the JDK's
   * @param consumer the name this node reports what it has received under, so that a Ferry primary
   *     listing it ({@code journal.serve.http.consumers}) keeps segments until this node has them;
   *     empty: report nothing (a static server, or a primary that need not wait for this node)
   * @param timeout how long a request waits for the response's headers, and the longest pause
   *     within a body, before it is given up on as dead (default 30 s; connecting waits at most 10 s)
   */
  record Http(URI url, Optional<BearerToken> token, Duration pollInterval, Duration retryMax,
      Optional<KeyStoreFile> trustStore, Optional<String> consumer, Duration timeout) implements JournalFrom {
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_RETRY_MAX = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public Http {
      Objects.requireNonNull(url, "url");
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
        throw new IllegalArgumentException("'" + url + "' is not an http:// or https:// URL with a host");
      }
      if (url.getRawUserInfo() != null) {
        throw new IllegalArgumentException("'" + url.getHost() + "': put no credentials in the URL; use token");
      }
      if (url.getRawQuery() != null || url.getRawFragment() != null) {
        throw new IllegalArgumentException("'" + url + "' has a query or fragment; give the base URL of the segments");
      }
      if (!url.getRawPath().endsWith("/")) {
        url = URI.create(url + "/");
      }
      Objects.requireNonNull(token, "token");
      if (pollInterval == null || !pollInterval.isPositive()) {
        throw new IllegalArgumentException("journal.from.http poll-interval must be positive, got " + pollInterval);
      }
      if (retryMax == null || retryMax.compareTo(pollInterval) < 0) {
        throw new IllegalArgumentException("journal.from.http retry-max must be at least the poll interval");
      }
      Objects.requireNonNull(trustStore, "trustStore");
      if (trustStore.isPresent() && !scheme.equals("https")) {
        throw new IllegalArgumentException("a trust store is for an https:// URL, not '" + url + "'");
      }
      Objects.requireNonNull(consumer, "consumer");
      if (consumer.isPresent() && !CONSUMER_NAME.matcher(consumer.get()).matches()) {
        throw new IllegalArgumentException("journal.from.http consumer '" + consumer.get()
            + "' must be 1 to 64 letters, digits, '_' or '-'");
      }
      if (timeout == null || !timeout.isPositive()) {
        throw new IllegalArgumentException("journal.from.http timeout must be positive, got " + timeout);
      }
    }

    public Http(URI url, Optional<BearerToken> token, Duration pollInterval, Duration retryMax,
        Optional<KeyStoreFile> trustStore, Optional<String> consumer) {
      this(url, token, pollInterval, retryMax, trustStore, consumer, DEFAULT_TIMEOUT);
    }

    public Http(URI url, Optional<BearerToken> token, Duration pollInterval, Duration retryMax,
        Optional<KeyStoreFile> trustStore) {
      this(url, token, pollInterval, retryMax, trustStore, Optional.empty());
    }

    public Http(URI url, Optional<BearerToken> token, Duration pollInterval, Duration retryMax) {
      this(url, token, pollInterval, retryMax, Optional.empty());
    }

    public Http(URI url, Optional<BearerToken> token) {
      this(url, token, DEFAULT_POLL, DEFAULT_RETRY_MAX);
    }
  }

  /**
   * A TCP port on which the primary's push supplier ({@code journal.push} on the primary) connects
   * and streams the journal, the live tail included.
   *
   * @param host the address to listen on (default {@code 127.0.0.1})
   * @param port the TCP port (0: any free port, for tests)
   * @param secret the shared secret both ends prove
   * @param keyStore when set, the receiver speaks TLS only, with the certificate and key in it
   * @param link heartbeat, timeout and frame cap
   */
  record Listen(String host, int port, SharedSecret secret, Optional<KeyStoreFile> keyStore,
      dev.ferry.transport.push.LinkTiming link) implements JournalFrom {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8452;

    public Listen {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("journal.from.listen host must not be blank");
      }
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("journal.from.listen port " + port + " is out of range 0..65535");
      }
      Objects.requireNonNull(secret, "secret");
      Objects.requireNonNull(keyStore, "keyStore");
      Objects.requireNonNull(link, "link");
    }

    /** {@code host:port}, bracketing an IPv6 address. */
    public String address() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }
}
