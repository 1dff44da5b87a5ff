package dev.ferry.node.config;

/**
 * A password from the configuration. {@link #toString()} prints {@code ****} so a record holding a
 * secret can be logged; only {@link #value()} gives the secret, for handing it to a driver.
 * Immutable.
 *
 * @param value the secret itself; never null, never to be logged or written to status output
 */
public record Secret(String value) {
  public Secret {
    if (value == null) {
      throw new IllegalArgumentException("a secret must not be null");
    }
  }

  /** Always {@code ****}, whatever the secret. */
  @Override
  public String toString() {
    return "****";
  }
}
