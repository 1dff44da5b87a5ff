package dev.ferry.capture;

import java.io.IOException;

/**
 * Capture cannot go on (or setup cannot be done) for a reason an operator must fix: bad source
 * settings, a missing slot or publication, a slot in use elsewhere. The message names the setting
 * or object and says what to run. Retryable trouble (a lost connection) is not reported this way
 * but retried.
 */
public class CaptureException extends IOException {
  private final String source;

  public CaptureException(String source, String message) {
    super("[source " + source + "] " + message);
    this.source = source;
  }

  public CaptureException(String source, String message, Throwable cause) {
    super("[source " + source + "] " + message, cause);
    this.source = source;
  }

  /** The configured name of the source. */
  public String source() {
    return source;
  }
}
