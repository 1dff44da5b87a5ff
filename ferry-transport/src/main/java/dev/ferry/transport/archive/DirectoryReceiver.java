package dev.ferry.transport.archive;

import dev.ferry.journal.IngestRefusedException;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.transport.CopyReceiver;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.SegmentSource;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An incoming directory as the source of a journal copy (Firebird's "log source directory"): at
 * every pass it lists the files named as sealed segments and offers the copy the one it continues
 * with, from the first of its files the copy accepts (two files may carry one number when a
 * transfer left an older name behind). A file for a segment the copy already holds (a redelivery,
 * an old segment after newer ones) is checked against the copy and otherwise ignored. Files are
 * read whole and only ever read; the directory is not changed. The {@link CopyReceiver} does the
 * rest (order, refusals, status, purge).
 *
 * <p>Not thread-safe: the receiver's thread calls it.
 */
public final class DirectoryReceiver implements SegmentSource {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryReceiver.class);
  private final JournalFrom.Directory from;
  /** Files of segments the copy already holds, checked against it: name to size. */
  private final Map<String, Long> checked = new HashMap<>();

  private DirectoryReceiver(JournalFrom.Directory from) {
    this.from = from;
  }

  /** Starts receiving into the copy in {@code copy.directory()} (created if missing) from {@code from}. */
  public static CopyReceiver start(JournalConfig copy, JournalFrom.Directory from) throws IOException {
    return CopyReceiver.start(copy, new DirectoryReceiver(from));
  }

  @Override
  public String name() {
    return from.incoming().toString();
  }

  @Override
  public String kind() {
    return "directory";
  }

  @Override
  public Duration pollInterval() {
    return from.pollInterval();
  }

  @Override
  public Duration retryMax() {
    return from.pollInterval();
  }

  /** Every segment that continues the copy, in order; then the redelivered ones. */
  @Override
  public void pass(Copy copy) throws IOException {
    Map<Long, List<Path>> offered = list();
    while (!copy.stopping()) {
      long next = copy.next();
      List<Path> files = offered.getOrDefault(next, List.of());
      if (files.isEmpty()) {
        break;
      }
      receive(copy, next, files);
    }
    checkRedelivered(copy, offered);
  }

  /** Offers segment {@code number} from the first of its files the copy accepts. */
  private void receive(Copy copy, long number, List<Path> files) throws IOException {
    IngestRefusedException refused = null;
    for (Path file : files) {
      try {
        copy.offer(number, SegmentFiles.sealedRecordCount(file).orElseThrow(), Files.readAllBytes(file));
        checked.put(file.getFileName().toString(), Files.size(file));
        LOG.debug("[from {}] received {}", from.incoming(), file.getFileName()); // the journal logs "ingested …"
        return;
      } catch (IngestRefusedException e) {
        refused = e;
      }
    }
    throw refused;
  }

  /**
   * A file for a segment the copy already holds is a redelivery: harmless when its bytes are the
   * copy's, refused (and shown) when they differ. Segments already purged from the copy are not
   * checked.
   */
  private void checkRedelivered(Copy copy, Map<Long, List<Path>> offered) throws IOException {
    long next = copy.next();
    Set<Long> held = null;
    for (Map.Entry<Long, List<Path>> e : offered.entrySet()) {
      if (e.getKey() >= next) {
        continue;
      }
      for (Path file : e.getValue()) {
        String name = file.getFileName().toString();
        long size = Files.size(file);
        if (Long.valueOf(size).equals(checked.get(name))) {
          continue;
        }
        held = held == null ? copy.held() : held;
        if (held.contains(e.getKey())) {
          copy.checkHeld(e.getKey(), Files.readAllBytes(file));
          LOG.info("[from {}] {} is a redelivery of a segment the copy holds, with the same bytes: ignored",
              from.incoming(), name);
        }
        checked.put(name, size);
      }
    }
  }

  private Map<Long, List<Path>> list() throws IOException {
    Map<Long, List<Path>> offered = new HashMap<>();
    if (!Files.isDirectory(from.incoming())) {
      throw new NoSuchFileException(from.incoming().toString(), null, "the incoming directory does not exist");
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(from.incoming())) {
      for (Path file : stream) {
        OptionalLong number = SegmentFiles.sealedNumber(file);
        if (number.isPresent()) {
          offered.computeIfAbsent(number.getAsLong(), n -> new ArrayList<>()).add(file);
        }
      }
    }
    offered.values().forEach(l -> l.sort(Comparator.comparing(Path::toString)));
    return offered;
  }
}
