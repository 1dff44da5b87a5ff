package dev.ferry.transport;

import java.util.Locale;

/** What a link (a transport delivering a journal copy) is doing, as {@code ferry status} shows it. */
public enum LinkState {
  STARTING,
  /** Holds everything offered so far and waits for the next segment ({@code waitingFor}). */
  WAITING,
  /** A push link is connected and streaming (the live tail included). */
  STREAMING,
  /** The next segment was offered and refused (another journal, a conflict, not whole): never skipped. */
  REFUSED,
  /** An I/O error; tried again at the next poll. */
  RETRYING,
  STOPPED;

  /** The status text: the name in lower case. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The state named by {@link #text()}. */
  public static LinkState parse(String text) {
    return valueOf(text.toUpperCase(Locale.ROOT));
  }

  @Override
  public String toString() {
    return text();
  }
}
