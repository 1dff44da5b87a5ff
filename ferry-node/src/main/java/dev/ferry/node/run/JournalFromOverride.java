package dev.ferry.node.run;

import dev.ferry.journal.DurableFiles;
import dev.ferry.journal.model.Side;
import dev.ferry.transport.JournalFrom;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code journal-from.json} in a replica node's journal copy directory, written by {@code ferry
 * repoint} or {@code ferry failover --repoint}: the source the copy follows instead of the
 * configured {@code journal.from}, kept in the node's own state as MySQL keeps {@code CHANGE MASTER
 * TO} in the replica's (docs/failover.md#re-pointing-the-other-replica-nodes).
 *
 * <p>Precedence: the override holds while the configured {@code journal.from} is still the one it
 * overrode ({@link #overrides}, {@link #describe}); once the configuration was changed since, the
 * configuration wins and the file is set aside ({@link #effective}). A push listener
 * ({@code journal.from.listen}) is never overridden: the new primary pushes to it.
 *
 * @param at when it was written
 * @param command the command that wrote it
 * @param url the new source's HTTP base URL (empty when {@code directory} is set)
 * @param directory the new source's incoming directory (empty when {@code url} is set)
 * @param consumer the consumer name reported to the new source over HTTP, if any
 * @param overrides the configured {@code journal.from} it replaces, as {@link #describe} writes it
 */
public record JournalFromOverride(Instant at, String command, Optional<String> url, Optional<String> directory,
    Optional<String> consumer, String overrides) {
  public static final String FILE = "journal-from.json";
  private static final Logger log = LoggerFactory.getLogger(JournalFromOverride.class);

  public JournalFromOverride {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(command, "command");
    url = url == null ? Optional.empty() : url;
    directory = directory == null ? Optional.empty() : directory;
    consumer = consumer == null ? Optional.empty() : consumer;
    Objects.requireNonNull(overrides, "overrides");
    if (url.isPresent() == directory.isPresent()) {
      throw new IllegalArgumentException("a re-point names either a URL or a directory, not " + url + " and " + directory);
    }
  }

  /** The override of the copy in {@code journalDir}, if one was written. */
  public static Optional<JournalFromOverride> read(Path journalDir) throws IOException {
    return StatusJson.readFile(journalDir.resolve(FILE), JournalFromOverride.class, "a journal.from override");
  }

  /** Writes it durably (temp, fsync, rename, fsync the directory) into {@code journalDir}, replacing an earlier one. */
  public void write(Path journalDir) throws IOException {
    Files.createDirectories(journalDir);
    DurableFiles.write(journalDir.resolve(FILE), StatusJson.write(this).getBytes(StandardCharsets.UTF_8));
  }

  /** A configured {@code journal.from} in one line: what an override records it replaces. */
  public static String describe(JournalFrom from) {
    return switch (from) {
      case JournalFrom.Http h -> "http " + h.url() + h.consumer().map(c -> " consumer " + c).orElse("");
      case JournalFrom.Directory d -> "directory " + d.incoming();
      case JournalFrom.Listen l -> "listen " + l.address();
    };
  }

  /** The new source in one line, as {@link #describe} writes a configured one. */
  public String source() {
    return url.map(u -> "http " + u + consumer.map(c -> " consumer " + c).orElse(""))
        .orElseGet(() -> "directory " + directory.orElseThrow());
  }

  /**
   * The source that replaces {@code configured}: the URL (or directory) and consumer of this file;
   * the bearer token, trust store, intervals and timeout of {@code configured} when it is HTTP too.
   *
   * @throws IllegalArgumentException when {@code configured} is a push listener, or the URL is no HTTP URL
   */
  public JournalFrom applyTo(JournalFrom configured) {
    if (configured instanceof JournalFrom.Listen l) {
      throw new IllegalArgumentException(listenerRefusal(l));
    }
    if (directory.isPresent()) {
      return new JournalFrom.Directory(Path.of(directory.get()));
    }
    URI u = URI.create(url.orElseThrow());
    return configured instanceof JournalFrom.Http h
        ? new JournalFrom.Http(u, h.token(), h.pollInterval(), h.retryMax(),
            "https".equalsIgnoreCase(u.getScheme()) ? h.trustStore() : Optional.empty(), consumer, h.timeout())
        : new JournalFrom.Http(u, Optional.empty(), JournalFrom.Http.DEFAULT_POLL, JournalFrom.Http.DEFAULT_RETRY_MAX,
            Optional.empty(), consumer, JournalFrom.Http.DEFAULT_TIMEOUT);
  }

  /** Whether it holds for {@code configured}: the configuration is still the one it overrode (no push listener). */
  public boolean appliesTo(JournalFrom configured) {
    return !(configured instanceof JournalFrom.Listen) && overrides.equals(describe(configured));
  }

  /** Why a node whose copy is pushed to it cannot be re-pointed by a file. */
  public static String listenerRefusal(JournalFrom.Listen l) {
    return "its journal.from is a push listener (journal.from.listen " + l.address() + "): the new primary pushes"
        + " to it, nothing to re-point here; add this node to the promoted node's journal.push instead";
  }

  /** When the file was last written (cheap: one stat), empty when there is none. */
  static Optional<FileTime> stamp(Path journalDir) {
    try {
      return Optional.of(Files.getLastModifiedTime(journalDir.resolve(FILE)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The source the copy in {@code journalDir} follows: the override when there is one for
   * {@code configured}; {@code configured} when there is none, when {@code configured} is a push
   * listener, or when the configuration changed since the override was written (then the file is
   * set aside as {@code journal-from.json.set-aside-<millis>} and a line is logged).
   */
  static JournalFrom effective(Path journalDir, JournalFrom configured) throws IOException {
    Optional<JournalFromOverride> o = read(journalDir);
    if (o.isEmpty() || configured instanceof JournalFrom.Listen) {
      return configured;
    }
    if (!o.get().appliesTo(configured)) {
      Path aside = journalDir.resolve(FILE + ".set-aside-" + System.currentTimeMillis());
      DurableFiles.rename(journalDir.resolve(FILE), aside);
      log.warn("{} journal.from was changed in the configuration ({}) since '{}' re-pointed it at {} ({}): the"
          + " configuration wins; the override was set aside as {}", Side.journal(journalDir), describe(configured),
          o.get().command(), o.get().at(), o.get().source(), aside.getFileName());
      return configured;
    }
    return o.get().applyTo(configured);
  }
}
