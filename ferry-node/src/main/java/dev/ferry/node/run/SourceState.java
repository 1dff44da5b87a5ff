package dev.ferry.node.run;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.ferry.capture.Capture;
import java.util.Locale;

/** What capture of the source is doing, as {@code ferry status} shows it. */
public enum SourceState {
  STARTING,
  STREAMING,
  /** The capturing process is gone or stopped. */
  STOPPED,
  /** Stopped on an error a person must fix. */
  FAILED;

  static SourceState of(Capture.State state) {
    return switch (state) {
      case STARTING -> STARTING;
      case STREAMING -> STREAMING;
      case FAILED -> FAILED;
    };
  }

  /** The status text: the name in lower case. */
  @JsonValue
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return text();
  }
}
