package dev.ferry.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A self-signed certificate for 127.0.0.1 (and localhost) made by the JDK's {@code keytool}: a PKCS12
 * key store holding it with its private key, and a PKCS12 trust store holding only the certificate,
 * both under one password. Each keytool run starts a JVM (a second or more): make them once per class.
 *
 * @param keyStore the certificate and its key, for a server ({@code keystore})
 * @param trustStore the certificate alone, for a client ({@code truststore})
 * @param password both stores' password
 */
public record TlsStores(Path keyStore, Path trustStore, String password) {
  /** Makes {@code name}.p12 and {@code name}-trust.p12 in {@code dir}. */
  public static TlsStores make(Path dir, String name, String password) throws IOException, InterruptedException {
    Path keyStore = dir.resolve(name + ".p12");
    Path cert = dir.resolve(name + ".crt");
    Path trustStore = dir.resolve(name + "-trust.p12");
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
        "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", keyStore.toString(), "-storepass", password);
    keytool("-exportcert", "-alias", name, "-keystore", keyStore.toString(), "-storepass", password,
        "-file", cert.toString());
    keytool("-importcert", "-noprompt", "-alias", name, "-file", cert.toString(), "-storetype", "PKCS12",
        "-keystore", trustStore.toString(), "-storepass", password);
    return new TlsStores(keyStore, trustStore, password);
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
        .toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("keytool " + command + " failed: " + out);
    }
  }
}
