package dev.ferry.node.config;

import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.KeyStoreFile;
import dev.ferry.transport.SharedSecret;
import dev.ferry.transport.push.LinkTiming;
import dev.ferry.transport.push.PushTarget;
import dev.ferry.transport.push.SyncLevel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The TCP push transport's keys: {@code journal.push[]} on a primary, {@code journal.from.listen}
 * on a replica node, read once into ferry-transport's records with their defaults
 * ({@link LinkTiming#DEFAULT}, {@link PushTarget#DEFAULT_SYNC_TIMEOUT}). Stateless.
 */
final class PushSettings {
  /** The port of {@code journal.from.listen.address} and of a push target's {@code to} when not given. */
  static final int DEFAULT_PORT = JournalFrom.Listen.DEFAULT_PORT;
  private static final String[] TIMING = {"heartbeat", "timeout", "retry-max", "max-frame"};

  private PushSettings() {
  }

  /** {@code journal.push: [{name, to, secret, truststore, truststore-password, sync, sync-timeout, timing…}]}. */
  static List<PushTarget> push(Section journal) throws ConfigException {
    List<Section> sections = journal.sections("push", keys("name", "to", "secret", "truststore", "truststore-password",
        "sync", "sync-timeout"));
    List<PushTarget> targets = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Section p : sections) {
      String name = p.requiredString("name").strip();
      if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
        throw p.error("name", "'" + name + "' is not 1-64 letters, digits, '_', '.', '-'");
      }
      if (!names.add(name)) {
        throw p.error("name", "'" + name + "' names another push target too; names are unique");
      }
      if (!p.has("to")) {
        throw p.missing("to");
      }
      TransportSettings.HostPort to = TransportSettings.hostPort(p, "to", "", DEFAULT_PORT, false);
      SyncLevel sync = sync(p);
      Duration syncTimeout = p.duration("sync-timeout", PushTarget.DEFAULT_SYNC_TIMEOUT);
      if (p.has("sync-timeout") && sync == SyncLevel.NONE) {
        throw p.error("sync-timeout", "applies to a synchronous replica node; set " + p.key("sync") + " too");
      }
      if (!syncTimeout.isPositive()) {
        throw p.error("sync-timeout", "must be positive");
      }
      targets.add(new PushTarget(name, to.host(), to.port(), secret(p), TransportSettings.store(p, "truststore"),
          timing(p), sync, syncTimeout));
    }
    return targets;
  }

  /** {@code journal.from.listen: {address, secret, keystore, keystore-password, timing…}}. */
  static JournalFrom.Listen listen(Section from) throws ConfigException {
    for (String other : List.of("directory", "http")) {
      if (from.has(other)) {
        throw from.error(other, "contradicts " + from.key("listen") + " (line " + from.lineOf("listen")
            + "): a copy comes from one place");
      }
    }
    if (from.has("poll-interval")) {
      throw from.error("poll-interval", "applies to directory; a pushed copy does not poll");
    }
    Section l = from.section("listen", keys("address", "secret", "keystore", "keystore-password")).orElseThrow();
    TransportSettings.HostPort at = TransportSettings.hostPort(l, "address", JournalFrom.Listen.DEFAULT_HOST,
        DEFAULT_PORT, true);
    return new JournalFrom.Listen(at.host(), at.port(), secret(l), TransportSettings.store(l, "keystore"), timing(l));
  }

  private static String[] keys(String... own) {
    String[] all = new String[own.length + TIMING.length];
    System.arraycopy(own, 0, all, 0, own.length);
    System.arraycopy(TIMING, 0, all, own.length, TIMING.length);
    return all;
  }

  private static SharedSecret secret(Section s) throws ConfigException {
    String value = s.requiredString("secret");
    try {
      return new SharedSecret(value);
    } catch (IllegalArgumentException e) {
      throw s.error("secret", e.getMessage() + (value.isEmpty() ? " (an unset ${VAR}?)" : ""));
    }
  }

  private static SyncLevel sync(Section p) throws ConfigException {
    Optional<String> text = p.string("sync");
    if (text.isEmpty()) {
      return SyncLevel.NONE;
    }
    return switch (text.get().strip().toLowerCase(Locale.ROOT)) {
      case "receive" -> SyncLevel.RECEIVE;
      case "apply" -> SyncLevel.APPLY;
      case "none", "off" -> SyncLevel.NONE;
      default -> throw p.error("sync", "'" + text.get() + "' is not receive, apply or none");
    };
  }

  private static LinkTiming timing(Section s) throws ConfigException {
    LinkTiming d = LinkTiming.DEFAULT;
    Duration heartbeat = s.duration("heartbeat", d.heartbeat());
    if (!heartbeat.isPositive()) {
      throw s.error("heartbeat", "must be positive");
    }
    Duration timeout = s.duration("timeout", d.timeout().compareTo(heartbeat.multipliedBy(2)) < 0
        ? heartbeat.multipliedBy(2) : d.timeout());
    if (timeout.compareTo(heartbeat.multipliedBy(2)) < 0) {
      throw s.error("timeout", Durations.format(timeout) + " is shorter than twice the heartbeat "
          + Durations.format(heartbeat) + ": a single late heartbeat would close the link");
    }
    Duration retryMax = s.duration("retry-max", d.retryMax().compareTo(heartbeat) < 0 ? heartbeat : d.retryMax());
    if (retryMax.compareTo(heartbeat) < 0) {
      throw s.error("retry-max", Durations.format(retryMax) + " is shorter than the heartbeat "
          + Durations.format(heartbeat));
    }
    DataSize maxFrame = s.size("max-frame", DataSize.ofBytes(d.maxFrame()), DataSize.ofKibibytes(64));
    if (maxFrame.bytes() > 1L << 30) {
      throw s.error("max-frame", maxFrame + " is more than 1 GiB");
    }
    return new LinkTiming(heartbeat, timeout, retryMax, (int) maxFrame.bytes());
  }
}
