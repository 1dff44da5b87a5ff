package dev.ferry.transport.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.SegmentState;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.transport.BearerToken;
import dev.ferry.transport.CopyReceiver;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.KeyStoreFile;
import dev.ferry.transport.LinkState;
import dev.ferry.transport.LinkStatus;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP transport over TLS: the server with a PKCS12 key store (made by the JDK's keytool, a
 * self-signed certificate for 127.0.0.1), a receiver trusting it through a trust store, and one
 * trusting only the JDK's certificates refusing it.
 */
@Timeout(120)
class TlsTest {
  private static final String PASSWORD = "changeit-7";
  @TempDir Path primary;
  @TempDir Path copy;
  @TempDir Path keys;

  private static void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("keytool %s: %s", command, out).isZero();
  }

  /** A key store with a self-signed certificate for 127.0.0.1, and a trust store holding that certificate. */
  private KeyStoreFile[] stores() throws Exception {
    Path keyStore = keys.resolve("server.p12");
    Path cert = keys.resolve("server.crt");
    Path trustStore = keys.resolve("trust.p12");
    keytool("-genkeypair", "-alias", "ferry", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
        "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", keyStore.toString(), "-storepass", PASSWORD);
    keytool("-exportcert", "-alias", "ferry", "-keystore", keyStore.toString(), "-storepass", PASSWORD,
        "-file", cert.toString());
    keytool("-importcert", "-noprompt", "-alias", "ferry", "-file", cert.toString(), "-storetype", "PKCS12",
        "-keystore", trustStore.toString(), "-storepass", PASSWORD);
    return new KeyStoreFile[] {new KeyStoreFile(keyStore, PASSWORD), new KeyStoreFile(trustStore, PASSWORD)};
  }

  private List<SegmentInfo> journal() throws IOException {
    try (Journal journal = Journal.open(JournalConfig.defaults(primary).withSegmentBytes(4096))) {
      for (int seq = 1; seq <= 150; seq++) {
        journal.append(Transactions.accounts(seq)).join();
      }
    }
    return JournalInspector.list(primary).stream().filter(s -> s.state() != SegmentState.OPEN).toList();
  }

  private static LinkStatus await(CopyReceiver r, String what, java.util.function.Predicate<LinkStatus> c)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!c.test(r.status())) {
      assertThat(System.nanoTime()).as("%s within 30 s: %s", what, r.status()).isLessThan(deadline);
      Thread.sleep(10);
    }
    return r.status();
  }

  @Test
  void aReceiverTrustingTheServersCertificatePullsOverHttps() throws Exception {
    List<SegmentInfo> sealed = journal();
    KeyStoreFile[] stores = stores();
    BearerToken token = new BearerToken("tls-token");
    try (SegmentServer server = SegmentServer.start(primary, new HttpServeConfig("127.0.0.1", 0,
        Optional.of(token), Optional.of(stores[0])))) {
      URI url = URI.create("https://127.0.0.1:" + server.port() + "/");
      try (CopyReceiver r = HttpReceiver.start(JournalConfig.defaults(copy), new JournalFrom.Http(url,
          Optional.of(token), Duration.ofMillis(20), Duration.ofMillis(80), Optional.of(stores[1])))) {
        await(r, "every sealed segment is in the copy",
            s -> s.received().map(p -> p.segment() > sealed.size()).orElse(false));
      }
      for (SegmentInfo s : sealed) {
        assertThat(copy.resolve(s.path().getFileName())).hasSameBinaryContentAs(s.path());
      }
      Path other = copy.resolveSibling(copy.getFileName() + "-untrusting");
      try (CopyReceiver r = HttpReceiver.start(JournalConfig.defaults(other), new JournalFrom.Http(url,
          Optional.of(token), Duration.ofMillis(20), Duration.ofMillis(80)))) {
        LinkStatus s = await(r, "the untrusted certificate is reported", x -> x.state() == LinkState.RETRYING);
        assertThat(s.lastError().orElseThrow()).startsWith(url + "segments.list: ");
        assertThat(s.received()).isEmpty();
      }
    }
  }

  /**
   * HTTPS through the test kit's fault proxy: a byte flipped in a response fails TLS's record check
   * (nothing of it reaches the copy), a connection cut in the middle of a segment's body ends that
   * download; each time the receiver fetches again and the copy ends byte-identical.
   */
  @Test
  void overHttpsAFlippedByteAndACutMidSegmentAreFetchedAgainAndTheCopyStaysByteIdentical() throws Exception {
    List<SegmentInfo> sealed = journal();
    KeyStoreFile[] stores = stores();
    try (SegmentServer server = SegmentServer.start(primary, new HttpServeConfig("127.0.0.1", 0,
        Optional.empty(), Optional.of(stores[0])));
        dev.ferry.testkit.FaultProxy proxy = dev.ferry.testkit.FaultProxy.start(server.port())) {
      proxy.throttle(16 * 1024); // a few seconds for the whole journal: the faults land mid-transfer
      dev.ferry.testkit.ProxyFault flip = proxy.flipAfter(dev.ferry.testkit.FaultProxy.Direction.TO_CLIENT, 6000);
      URI url = URI.create("https://127.0.0.1:" + proxy.port() + "/");
      try (CopyReceiver r = HttpReceiver.start(JournalConfig.defaults(copy), new JournalFrom.Http(url,
          Optional.empty(), Duration.ofMillis(20), Duration.ofMillis(80), Optional.of(stores[1])))) {
        await(r, "the proxy flipped a byte", s -> flip.happened());
        dev.ferry.testkit.ProxyFault cut = proxy.cutAfter(dev.ferry.testkit.FaultProxy.Direction.TO_CLIENT, 6000);
        await(r, "the proxy cut a connection", s -> cut.happened());
        assertThat(r.status().received().map(p -> p.segment() > sealed.size()).orElse(false))
            .as("the cut came before the end").isFalse();
        await(r, "every sealed segment is in the copy",
            s -> s.received().map(p -> p.segment() > sealed.size()).orElse(false));
      }
      for (SegmentInfo s : sealed) {
        assertThat(copy.resolve(s.path().getFileName())).hasSameBinaryContentAs(s.path());
      }
    }
  }

  @Test
  void aKeyStoreWithAWrongPasswordFailsTheStartNamingTheFile() throws Exception {
    KeyStoreFile[] stores = stores();
    KeyStoreFile wrong = new KeyStoreFile(stores[0].path(), "not-it");
    assertThatThrownBy(() -> SegmentServer.start(primary, new HttpServeConfig("127.0.0.1", 0, Optional.empty(),
        Optional.of(wrong)))).isInstanceOf(IOException.class)
        .hasMessageContaining("cannot read the key store " + stores[0].path()).hasMessageNotContaining("not-it");
  }
}
