package dev.ferry.transport.http;

import dev.ferry.journal.Journal;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Side;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's record of what each remote replica node has received, so the journal keeps sealed
 * segments until every listed node has them (a replication slot, for a copy pulled over HTTP). A
 * Ferry receiver with {@code journal.from.http.consumer} set names itself in {@value #CONSUMER}
 * and the next segment its copy lacks in {@value #RECEIVED} on every listing request; each new
 * value is acknowledged durably as the journal consumer {@link HttpServeConfig#consumerName}. A
 * request without the headers (a mirror, a cache, {@code curl}) is served and holds nothing.
 * Thread-safe.
 */
final class RemoteConsumers {
  static final String CONSUMER = "Ferry-Consumer";
  static final String RECEIVED = "Ferry-Received";
  private static final Logger LOG = LoggerFactory.getLogger(RemoteConsumers.class);
  private final Path dir;
  private final List<String> listed;
  private final Map<String, Long> reported = new ConcurrentHashMap<>();

  RemoteConsumers(Path journalDir, List<String> listed) {
    this.dir = journalDir;
    this.listed = List.copyOf(listed);
  }

  /** Why a request's consumer headers are refused (a 400 answer), or empty once they are recorded. */
  Optional<String> report(Optional<String> consumer, Optional<String> received, long nextSealed) throws IOException {
    if (consumer.isEmpty()) {
      return received.isPresent() ? Optional.of(RECEIVED + " without " + CONSUMER) : Optional.empty();
    }
    String name = consumer.get().strip();
    if (!listed.contains(name)) {
      return Optional.of("consumer '" + name + "' is not listed in journal.serve.http.consumers on this primary"
          + (listed.isEmpty() ? " (none are)" : " (it lists " + listed + ")")
          + ": add it there, or remove journal.from.http.consumer on the replica node");
    }
    if (received.isEmpty()) {
      return Optional.of(CONSUMER + " without " + RECEIVED);
    }
    long next;
    try {
      next = Long.parseLong(received.get().strip());
    } catch (NumberFormatException e) {
      return Optional.of(RECEIVED + " '" + received.get() + "' is not a segment number");
    }
    if (next < 1 || next > nextSealed) {
      return Optional.of(RECEIVED + " " + next + " is outside 1.." + nextSealed
          + " (the segment after the last sealed one): is the replica node's copy of another journal?");
    }
    Long before = reported.put(name, next);
    if (before == null || before != next) {
      Journal.acknowledge(dir, HttpServeConfig.consumerName(name), JournalPosition.startOf(next));
      if (before == null) {
        LOG.info("{} [http] consumer {} has every segment before {}", Side.journal(dir), name, next);
      }
    }
    return Optional.empty();
  }
}
