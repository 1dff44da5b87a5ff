package dev.ferry.e2e;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** The time stamp a node's log line starts with ({@code 2026-12-04 15:40:06.123 INFO …}). */
final class LogTime {
  private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

  private LogTime() {}

  static LocalDateTime of(String line) {
    if (line.length() < 23) {
      throw new IllegalArgumentException("log line without a time stamp: " + line);
    }
    return LocalDateTime.parse(line.substring(0, 23), FORMAT);
  }
}
