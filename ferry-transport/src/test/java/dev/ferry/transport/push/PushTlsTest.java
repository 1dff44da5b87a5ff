package dev.ferry.transport.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.SegmentState;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.testkit.FaultProxy;
import dev.ferry.testkit.TlsStores;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.KeyStoreFile;
import dev.ferry.transport.LinkState;
import dev.ferry.transport.SharedSecret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TCP push over TLS (the receiver's {@code keystore}, the supplier's {@code truststore}; keytool-made
 * self-signed certificates for 127.0.0.1) through the test kit's {@link FaultProxy}: a connection cut
 * mid-segment is resumed and the copy's sealed segments stay byte-identical, each byte received
 * once; a supplier trusting another certificate, a plain supplier against the TLS receiver and a TLS
 * supplier against a plain receiver each get an error naming the setting to fix.
 */
@Timeout(120)
class PushTlsTest {
  private static final String PASSWORD = "changeit-7";
  private static final SharedSecret SECRET = new SharedSecret("correct horse battery staple");
  // Heartbeats every 100 ms; a link silent for 5 s is dead. No test here waits for that timeout (the proxy's
  // cut closes both connections, a failed handshake closes its own), and a shorter one is a pause a loaded
  // machine can take: a spurious timeout would add a reconnect to the exact counts the cut test checks.
  private static final LinkTiming FAST = new LinkTiming(Duration.ofMillis(100), Duration.ofMillis(5000),
      Duration.ofMillis(200), 1 << 20);
  @TempDir Path primary;
  @TempDir Path copy;
  @TempDir static Path keys;
  /** The receiver's key store and a trust store holding its certificate; another pair (keytool is slow: once). */
  private static KeyStoreFile[] receiverStores;
  private static KeyStoreFile[] otherStores;

  @BeforeAll
  static void makeStores() throws Exception {
    receiverStores = stores("receiver");
    otherStores = stores("other");
  }

  /** {@code name}'s key store and the trust store holding its certificate, as the transport takes them. */
  private static KeyStoreFile[] stores(String name) throws Exception {
    TlsStores tls = TlsStores.make(keys, name, PASSWORD);
    return new KeyStoreFile[] {new KeyStoreFile(tls.keyStore(), PASSWORD), new KeyStoreFile(tls.trustStore(), PASSWORD)};
  }

  private PushReceiver receiver(Optional<KeyStoreFile> keyStore) throws Exception {
    return PushReceiver.start(JournalConfig.defaults(copy), new JournalFrom.Listen("127.0.0.1", 0, SECRET, keyStore,
        FAST), Set.of());
  }

  private static PushTarget target(int port, Optional<KeyStoreFile> trustStore) {
    return new PushTarget("b", "127.0.0.1", port, SECRET, trustStore, FAST, SyncLevel.NONE,
        PushTarget.DEFAULT_SYNC_TIMEOUT);
  }

  private static void await(String what, BooleanSupplier condition, Object status) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what + "; status " + status);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void aTlsLinkCutMidSegmentThroughTheProxyResumesAndTheCopyStaysByteIdentical() throws Exception {
    KeyStoreFile[] stores = receiverStores;
    try (Journal journal = Journal.open(JournalConfig.defaults(primary).withSegmentBytes(4096));
        PushReceiver r = receiver(Optional.of(stores[0])); FaultProxy proxy = FaultProxy.start(r.port())) {
      journal.acknowledge("keep", JournalPosition.startOf(1)); // a consumer holding every segment, to compare
      PushSupplier s = PushSupplier.start(journal, target(proxy.port(), Optional.of(stores[1])));
      JournalPosition first = append(journal, 1, 100);
      await("the first round is acknowledged", () -> s.acked().map(p -> p.compareTo(first) > 0).orElse(false),
          s.status());
      assertThat(s.status().reconnects()).isZero();
      // 3000 bytes into the next stretch: inside a 4 KiB segment, in the middle of a TLS record.
      dev.ferry.testkit.ProxyFault cut = proxy.cutAfter(FaultProxy.Direction.TO_TARGET, 3000);
      JournalPosition cutRound = append(journal, 101, 200);
      await("the cut link is connected again", () -> s.status().reconnects() == 1
          && s.status().state() == LinkState.STREAMING, s.status());
      await("the second round is acknowledged", () -> s.acked().map(p -> p.compareTo(cutRound) > 0).orElse(false),
          s.status());
      JournalPosition last = append(journal, 201, 250);
      await("the last round is acknowledged", () -> s.acked().map(p -> p.compareTo(last) > 0).orElse(false),
          s.status());
      assertThat(cut.happened()).as("the proxy cut the connection").isTrue();
      assertThat(r.status().reconnects()).isEqualTo(1);
      assertThat(r.status().bytes()).as("the copy's bytes, each received once")
          .isEqualTo(PushLinkTest.copyBytes(copy));
      s.close();
    }
    assertThat(PushLinkTest.sequences(copy)).containsExactlyElementsOf(PushLinkTest.range(1, 250));
    List<SegmentInfo> sealed = JournalInspector.list(primary).stream().filter(i -> i.state() != SegmentState.OPEN)
        .toList();
    assertThat(sealed).hasSizeGreaterThan(3);
    for (SegmentInfo i : sealed) {
      assertThat(copy.resolve(i.path().getFileName())).as("segment %d in the copy", i.number())
          .hasSameBinaryContentAs(i.path());
    }
  }

  @Test
  void aSupplierTrustingAnotherCertificateIsToldToFixItsTruststore() throws Exception {
    KeyStoreFile[] receiver = receiverStores;
    KeyStoreFile[] other = otherStores;
    try (Journal journal = Journal.open(JournalConfig.defaults(primary));
        PushReceiver r = receiver(Optional.of(receiver[0]));
        PushSupplier s = PushSupplier.start(journal, target(r.port(), Optional.of(other[1])))) {
      journal.append(Transactions.accounts(1)).join();
      await("the supplier shows the error", () -> s.status().lastError().filter(e -> e.contains("TLS handshake"))
          .isPresent(), s.status());
      assertThat(s.status().lastError().orElseThrow()).contains("PKIX").contains("journal.push[].truststore")
          .contains(other[1].path().toString())
          .contains("push target b");
      assertThat(s.status().state()).isEqualTo(LinkState.RETRYING);
      assertThat(r.awaitCopy(Duration.ZERO)).as("nothing reached the copy").isFalse();
    }
  }

  @Test
  void aPlainSupplierAgainstTheTlsReceiverAndTheReverseAreToldWhichSettingIsMissing() throws Exception {
    KeyStoreFile[] stores = receiverStores;
    try (Journal journal = Journal.open(JournalConfig.defaults(primary))) {
      journal.append(Transactions.accounts(1)).join();
      try (PushReceiver r = receiver(Optional.of(stores[0]));
          PushSupplier s = PushSupplier.start(journal, target(r.port(), Optional.empty()))) {
        await("the supplier shows the error", () -> s.status().lastError().isPresent(), s.status());
        assertThat(s.status().lastError().orElseThrow()).contains("truststore").contains("push target b");
        await("the receiver shows it", () -> r.status().lastError().isPresent(), r.status());
        assertThat(r.status().lastError().orElseThrow()).contains("TLS").contains("truststore");
        assertThat(r.awaitCopy(Duration.ZERO)).isFalse();
      }
      try (PushReceiver r = receiver(Optional.empty());
          PushSupplier s = PushSupplier.start(journal, target(r.port(), Optional.of(stores[1])))) {
        await("the supplier shows the error", () -> s.status().lastError().isPresent(), s.status());
        assertThat(s.status().lastError().orElseThrow()).contains("truststore").contains("keystore");
        assertThat(r.awaitCopy(Duration.ZERO)).isFalse();
      }
    }
  }

  private static JournalPosition append(Journal journal, long from, long to) {
    JournalPosition end = null;
    for (long seq = from; seq <= to; seq++) {
      end = journal.append(Transactions.accounts(seq)).join();
    }
    return end;
  }
}
