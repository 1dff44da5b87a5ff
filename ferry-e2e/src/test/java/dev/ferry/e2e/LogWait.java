package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Waiting for a line in the log of a ferry process the test started. */
final class LogWait {
  private LogWait() {}

  /**
   * Waits for a line containing {@code text} after byte {@code from} of {@code log}; returns the
   * line. Fails when the process dies first or the timeout passes, showing the log.
   */
  static String awaitLine(Path log, String text, Process process, long from, Duration timeout) throws Exception {
    return awaitLineAfter(log, null, text, process, from, timeout);
  }

  /**
   * As {@link #awaitLine(Path, String, Process, long, Duration)}, for a line containing {@code then}
   * that follows a line containing {@code first} (any line when {@code first} is null).
   */
  static String awaitLineAfter(Path log, String first, String then, Process process, long from, Duration timeout)
      throws Exception {
    String what = first == null ? "'" + then + "'" : "'" + then + "' after '" + first + "'";
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean seenFirst = first == null;
      for (String line : tail(log, from).split("\n")) {
        if (seenFirst && line.contains(then)) {
          return line;
        }
        seenFirst |= first != null && line.contains(first);
      }
      assertThat(process.isAlive()).as("ferry runs while waiting for %s; log:%n%s", what, tail(log, from)).isTrue();
      assertThat(System.nanoTime()).as("%s within %s; log:%n%s", what, timeout, tail(log, from)).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /** Waits for {@code text} anywhere in {@code log}. */
  static String awaitLine(Path log, String text, Process process, Duration timeout) throws Exception {
    return awaitLine(log, text, process, 0, timeout);
  }

  /** The log from byte {@code from} on; empty while the process has not created it yet. */
  static String tail(Path log, long from) throws IOException {
    if (!Files.exists(log)) {
      return "";
    }
    byte[] all = Files.readAllBytes(log);
    return new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
        StandardCharsets.UTF_8);
  }
}
