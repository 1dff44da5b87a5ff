package dev.ferry.transport;

/**
 * The shared secret of an HTTP link ({@code Authorization: Bearer <token>}). {@link #toString()}
 * prints {@code ****}, so settings holding a token can be logged. Immutable.
 *
 * @param value the token; printable ASCII without spaces, never logged
 */
public record BearerToken(String value) {
  public BearerToken {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("a token must not be empty");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= ' ' || c > '~') {
        throw new IllegalArgumentException("a token is printable ASCII without spaces (character " + (i + 1)
            + " is not)");
      }
    }
  }

  /** The {@code Authorization} header's value. */
  public String header() {
    return "Bearer " + value;
  }

  @Override
  public String toString() {
    return "****";
  }
}
