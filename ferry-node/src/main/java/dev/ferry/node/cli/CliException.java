package dev.ferry.node.cli;

/** A failure to report in one line and exit 1: the message says what is wrong and where. */
final class CliException extends RuntimeException {
  CliException(String message) {
    super(message);
  }
}
