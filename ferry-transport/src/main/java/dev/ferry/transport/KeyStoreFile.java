package dev.ferry.transport;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Objects;

/**
 * A key store file (PKCS12 or JKS, told apart by its content) and its password: the HTTP server's
 * certificate and key, or the certificates a receiver trusts. {@link #toString()} never shows the
 * password. Immutable.
 *
 * @param path the file
 * @param password its password; may be empty, never logged
 */
public record KeyStoreFile(Path path, String password) {
  public KeyStoreFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(password, "password");
  }

  /**
   * Loads the store.
   *
   * @throws IOException naming the file when it is missing, not a key store, or the password is wrong
   */
  public KeyStore load() throws IOException {
    try {
      return KeyStore.getInstance(path.toFile(), password.toCharArray());
    } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
      throw new IOException("cannot read the key store " + path + " (missing, not PKCS12 or JKS, or a wrong"
          + " password?): " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
    }
  }

  @Override
  public String toString() {
    return path + " (password ****)";
  }
}
