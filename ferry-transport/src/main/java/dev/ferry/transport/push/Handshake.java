package dev.ferry.transport.push;

import dev.ferry.transport.SharedSecret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The push link's mutual authentication: each side sends a fresh 32-byte nonce, and each proves it
 * knows the shared secret with HMAC-SHA256 over a role label and both nonces, so a proof is
 * neither replayable nor reflectable. The receiver proves itself first; the supplier sends nothing
 * of the journal to a receiver that failed. Stateless.
 */
final class Handshake {
  static final int NONCE = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Handshake() {
  }

  static byte[] nonce() {
    byte[] n = new byte[NONCE];
    RANDOM.nextBytes(n);
    return n;
  }

  static byte[] receiverProof(SharedSecret secret, byte[] supplierNonce, byte[] receiverNonce) {
    return mac(secret, "ferry-push receiver", supplierNonce, receiverNonce);
  }

  static byte[] supplierProof(SharedSecret secret, byte[] supplierNonce, byte[] receiverNonce) {
    return mac(secret, "ferry-push supplier", supplierNonce, receiverNonce);
  }

  /** Constant-time comparison. */
  static boolean same(byte[] expected, byte[] actual) {
    return MessageDigest.isEqual(expected, actual);
  }

  private static byte[] mac(SharedSecret secret, String role, byte[] a, byte[] b) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.key(), "HmacSHA256"));
      mac.update(role.getBytes(StandardCharsets.US_ASCII));
      mac.update(a);
      mac.update(b);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }
}
