package dev.ferry.transport;

import java.nio.charset.StandardCharsets;

/**
 * The shared secret of a push link: both ends prove they know it (HMAC-SHA256 over two nonces), it
 * never crosses the network. {@link #toString()} prints {@code ****}. Immutable.
 *
 * @param value at least 16 characters, never logged
 */
public record SharedSecret(String value) {
  /** Shorter secrets are refused: guessable. */
  public static final int MIN_LENGTH = 16;

  public SharedSecret {
    if (value == null || value.length() < MIN_LENGTH) {
      throw new IllegalArgumentException("a shared secret must have at least " + MIN_LENGTH + " characters, got "
          + (value == null ? 0 : value.length()));
    }
  }

  /** The secret as the HMAC key. */
  public byte[] key() {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "****";
  }
}
