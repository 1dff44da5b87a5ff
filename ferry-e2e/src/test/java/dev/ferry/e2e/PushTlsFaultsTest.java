package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.FaultProxy.Direction;
import dev.ferry.testkit.ProxyFault;
import dev.ferry.testkit.WorkloadRunner;
import java.nio.file.Files;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * TCP push over TLS through the fault-injecting proxy: the primary and the replica node as two
 * {@code bin/ferry run} processes (PostgreSQL to PostgreSQL), the receiver listening with a
 * {@code keystore}, the push target trusting it through a {@code truststore} (keytool-made, for
 * 127.0.0.1), the proxy forwarding the encrypted stream. Under a write load the proxy cuts the
 * connection at an arbitrary byte of the journal's stream (inside a TLS record, inside a segment):
 * the supplier connects again with a new TLS session and resumes from the copy's durable end, and
 * the replica converges ({@link FaultyLink#assertConverged}: tables equal, every GTID applied once,
 * every sealed segment of the copy with the primary's SHA-256). Restarted without its
 * {@code truststore}, the primary's link and the replica node's each show an error naming the
 * setting ({@code journal.push[].truststore}, {@code journal.from.listen.keystore}); with it back,
 * the link resumes and the replica converges.
 */
class PushTlsFaultsTest extends LinkFaultsTest {
  @Override
  FaultyLink.Kind kind() {
    return FaultyLink.Kind.PUSH_TLS;
  }

  @Test
  @Order(1)
  void aTlsConnectionCutMidSegmentResumesAndConverges() throws Exception {
    long primaryFrom = FaultyLink.mark(link.nodes.primaryLog);
    long replicaFrom = FaultyLink.mark(link.nodes.replicaLog);
    try (WorkloadRunner load = link.load(21)) {
      load.awaitCommitted(50, Duration.ofSeconds(60));
      ProxyFault cut = link.proxy.cutAfter(Direction.TO_TARGET, 20_000);
      assertThat(cut.await(Duration.ofSeconds(60))).as("the proxy cut the TLS stream").isTrue();
      load.awaitCommitted(load.committed() + 100, Duration.ofSeconds(60));
      load.stop();
    }
    assertThat(link.assertConverged(Duration.ofSeconds(90))).as("sealed segments compared").isPositive();
    assertThat(LogWait.tail(link.nodes.primaryLog, primaryFrom).split("connected; the replica node's copy ends at", -1))
        .as("the supplier connected again after the cut").hasSizeGreaterThan(1);
    assertThat(LogWait.tail(link.nodes.replicaLog, replicaFrom)).as("the receiver saw the cut")
        .contains("[push receiver 127.0.0.1:");
    // The primary's status file is written about once a second: the reconnect may not be in it yet.
    Await.until("the push target's status showing a reconnect", Duration.ofSeconds(30), () -> link.link(true),
        l -> l.path("reconnects").asLong() > 0);
    assertThat(LogWait.tail(link.nodes.replicaLog, 0)).as("the receiver listens with TLS").contains("listening (TLS");
  }

  @Test
  @Order(2)
  void aPrimaryWithoutTheTruststoreIsToldWhichSettingIsMissingAndResumesOnceItIsBack() throws Exception {
    String config = Files.readString(link.nodes.primaryConfig);
    String plain = config.lines().filter(l -> !l.trim().startsWith("truststore")).collect(Collectors.joining("\n"))
        + "\n";
    assertThat(plain).as("the primary's configuration without its truststore").isNotEqualTo(config);
    assertThat(FerryCli.terminate(link.nodes.primary, Duration.ofSeconds(60))).isZero();
    Files.writeString(link.nodes.primaryConfig, plain);
    try {
      link.nodes.startPrimary();
      JsonNode sent = awaitLinkError(true, "journal.push[].truststore");
      assertThat(sent.path("lastError").asString()).contains("journal.from.listen.keystore").contains("push target b");
      JsonNode received = awaitLinkError(false, "failed the TLS handshake");
      assertThat(received.path("lastError").asString()).contains("journal.push[].truststore");
      assertThat(FerryCli.terminate(link.nodes.primary, Duration.ofSeconds(60))).isZero();
    } finally {
      Files.writeString(link.nodes.primaryConfig, config);
    }
    link.nodes.startPrimary();
    link.loadFor(Duration.ofSeconds(3), 22);
    link.assertConverged(Duration.ofSeconds(90));
  }
}
