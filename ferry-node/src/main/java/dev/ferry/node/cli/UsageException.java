package dev.ferry.node.cli;

/** A usage or configuration error: reported in one line, exit code 2. */
final class UsageException extends RuntimeException {
  UsageException(String message) {
    super(message);
  }
}
