package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.FaultProxy.Direction;
import dev.ferry.testkit.ProxyFault;
import dev.ferry.testkit.WorkloadRunner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * HTTP packets through a fault-injecting proxy: a primary serving its sealed segments and a
 * replica node pulling them, as two {@code bin/ferry run} processes (PostgreSQL to PostgreSQL)
 * whose only link runs through a {@link dev.ferry.testkit.FaultProxy}, under a write load, one
 * fault after the other. After each the replica converges ({@link FaultyLink#assertConverged}:
 * tables equal to the source's, every GTID applied once, every sealed segment of the copy with the
 * primary's SHA-256).
 */
class HttpFaultsTest extends LinkFaultsTest {
  /** A segment file's first bytes (its magic), and a successful response's status line. */
  private static final byte[] SEGMENT = "FERRYJNL".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OK = "HTTP/1.1 200".getBytes(StandardCharsets.US_ASCII);

  @Override
  FaultyLink.Kind kind() {
    return FaultyLink.Kind.HTTP;
  }

  @Test
  @Order(1)
  void connectionsDroppedEveryTwoSecondsResumeAndConverge() throws Exception {
    link.dropsEveryTwoSecondsAndConverges(11);
  }

  @Test
  @Order(2)
  void aBlackHoleIsNoticedWithinTheTimeoutAndTheLinkResumesAfterIt() throws Exception {
    try (WorkloadRunner load = link.load(12)) {
      load.awaitCommitted(50, Duration.ofSeconds(60));
      long from = FaultyLink.mark(link.nodes.replicaLog);
      LocalDateTime start = LocalDateTime.now();
      link.proxy.blackHole(true);
      String noticed = LogWait.awaitLine(link.nodes.replicaLog, FaultyLink.TIMEOUT.toMillis() + " ms",
          link.nodes.replica, from, Duration.ofSeconds(30));
      assertThat(Duration.between(start, LogTime.of(noticed))).as("noticed: %s", noticed)
          .isLessThan(FaultyLink.NOTICED_WITHIN);
      JsonNode pulling = awaitLinkError(false, FaultyLink.TIMEOUT.toMillis() + " ms");
      assertThat(pulling.path("state").asString()).isEqualTo("retrying");
      Thread.sleep(2000); // the receiver tries again into the black hole meanwhile
      link.proxy.blackHole(false);
      load.awaitCommitted(load.committed() + 50, Duration.ofSeconds(60));
      load.stop();
    }
    link.assertConverged(Duration.ofSeconds(90));
  }

  @Test
  @Order(3)
  void throttledToEightKilobytesASecondTheLinkStillConverges() throws Exception {
    link.throttledConverges();
  }

  @Test
  @Order(4)
  void aByteFlippedInASegmentIsDetectedByItsSha256AndTheSegmentFetchedAgain() throws Exception {
    long from = FaultyLink.mark(link.nodes.replicaLog);
    try (WorkloadRunner load = link.load(14)) {
      ProxyFault flip = link.proxy.flipInside(Direction.TO_CLIENT, SEGMENT, 100);
      assertThat(flip.await(Duration.ofSeconds(60))).as("a segment's byte flipped").isTrue();
      LogWait.awaitLine(link.nodes.replicaLog, "corrupted in transit", link.nodes.replica, from,
          Duration.ofSeconds(30));
      load.awaitCommitted(load.committed() + 50, Duration.ofSeconds(60));
      load.stop();
    }
    link.assertConverged(Duration.ofSeconds(90));
  }

  @Test
  @Order(5)
  void aResponseCutInsideItsHeaderOrInsideASegmentHeaderResumes() throws Exception {
    try (WorkloadRunner load = link.load(15)) {
      long from = FaultyLink.mark(link.nodes.replicaLog);
      ProxyFault status = link.proxy.cutInside(Direction.TO_CLIENT, OK, 6);
      assertThat(status.await(Duration.ofSeconds(60))).as("cut inside a status line").isTrue();
      LogWait.awaitLine(link.nodes.replicaLog, "trying again", link.nodes.replica, from, Duration.ofSeconds(30));
      from = FaultyLink.mark(link.nodes.replicaLog);
      ProxyFault segment = link.proxy.cutInside(Direction.TO_CLIENT, SEGMENT, 20);
      assertThat(segment.await(Duration.ofSeconds(60))).as("cut inside a segment's header").isTrue();
      LogWait.awaitLine(link.nodes.replicaLog, ".seg: the body", link.nodes.replica, from, Duration.ofSeconds(30));
      load.awaitCommitted(load.committed() + 50, Duration.ofSeconds(60));
      load.stop();
    }
    link.assertConverged(Duration.ofSeconds(90));
  }
}
