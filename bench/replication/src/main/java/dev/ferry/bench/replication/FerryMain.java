package dev.ferry.bench.replication;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.journal.JournalConfig;
import dev.ferry.node.admin.NodeMetrics;
import dev.ferry.node.admin.NodeServer;
import dev.ferry.node.run.FerryNode;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.node.run.SourceSpec;
import dev.ferry.transport.http.HttpServeConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * Ferry in its own JVM, so the harness can cap its heap and read its peak RSS. Waits for the go
 * file (JVM start-up is not timed), then:
 *
 * <ul>
 *   <li>{@code run source primaryUrl journalDir goFile replicaUrl}: capture into the journal and
 *       apply to the replica until SIGTERM; prints {@code STREAMING}; exits 1 printing
 *       {@code FAILED} if capture or the replica stops;
 *   <li>{@code capture source primaryUrl journalDir goFile transactions}: capture only, until that
 *       many transactions are durable in the journal; prints {@code RESULT seconds=<s>}. (Not
 *       {@code FerryNode.awaitCaughtUp}: on an idle source its sync point is never reached.)
 * </ul>
 *
 * The replica's sessions run with {@code synchronous_commit = off}, like PostgreSQL's own apply
 * worker; the journal is fsynced before the slot is confirmed (Ferry's default).
 */
public final class FerryMain {
  private FerryMain() {}

  /** System property: {@code on} runs the source with {@code streaming} on (bench/run --streaming on). */
  static final String STREAMING = "ferry.bench.streaming";
  /**
   * System property: {@code on} starts the node's HTTP server with its metrics (NodeMetrics, as
   * {@code http:} does) and scrapes {@code /metrics} and {@code /api/status} every second (case 8).
   */
  static final String METRICS = "ferry.bench.metrics";

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    PostgresSourceConfig source = PostgresSourceConfig.of(args[1], args[2])
        .withStreaming("on".equals(System.getProperty(STREAMING)));
    Path journal = Path.of(args[3]);
    Path go = Path.of(args[4]);
    List<ReplicaSpec> replicas = List.of();
    if (mode.equals("run")) {
      Properties props = new Properties();
      props.setProperty("options", "-c synchronous_commit=off");
      replicas = List.of(new ReplicaSpec(ApplyConfig.defaults("ferry_r", "bench"), args[5], props));
    }
    NodeSpec spec = new NodeSpec(new SourceSpec.Postgres(source), JournalConfig.defaults(journal), replicas);
    while (!Files.exists(go)) {
      Thread.sleep(1);
    }
    long start = System.nanoTime();
    FerryNode node = start(spec, mode.equals("run") ? FerryNode.Role.RUN : FerryNode.Role.CAPTURE, replicas);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.close();
      } catch (Exception e) {
        System.out.println("FAILED closing: " + e);
      }
    }));
    if (!node.awaitCaptureStreaming(Duration.ofSeconds(60))) {
      fail("capture did not start: " + node.captureFailure().map(Throwable::toString).orElse("timed out"));
    }
    System.out.println("STREAMING");
    if (mode.equals("capture")) {
      long expected = Long.parseLong(args[5]);
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (node.status().source().map(s -> s.captured()).orElse(0L) < expected) {
        if (node.captureFailure().isPresent() || System.nanoTime() > deadline) {
          fail("capture did not catch up: " + node.captureFailure().map(Throwable::toString).orElse("timed out"));
        }
        Thread.sleep(1);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(Locale.ROOT, "RESULT seconds=%.3f captured=%d%n", seconds,
          node.status().source().map(s -> s.captured()).orElse(0L));
      System.exit(0);
    }
    while (true) {
      Thread.sleep(100);
      if (node.captureFailure().isPresent()) {
        fail("capture stopped: " + node.captureFailure().get());
      }
      if (!node.failedReplicas().isEmpty()) {
        fail("replica stopped: " + node.status().replicas().getFirst().lastError().orElse("?"));
      }
    }
  }

  /** Starts the node, with its HTTP server and metrics scraped every second when {@link #METRICS} is on. */
  private static FerryNode start(NodeSpec spec, FerryNode.Role role, List<ReplicaSpec> replicas) throws IOException {
    if (!"on".equals(System.getProperty(METRICS))) {
      return FerryNode.start(spec, role, List.of());
    }
    NodeMetrics metrics = new NodeMetrics();
    FerryNode node = FerryNode.start(spec, role, List.of(), metrics);
    metrics.bind(node);
    scrapeEverySecond(NodeServer.start(new HttpServeConfig("127.0.0.1", 0, Optional.empty()), node, metrics,
        replicas, Optional.empty(), "[bench]").port());
    return node;
  }

  /** What a Prometheus server and an open dashboard would ask, every second. */
  private static void scrapeEverySecond(int port) {
    HttpClient client = HttpClient.newHttpClient();
    Thread.ofVirtual().start(() -> {
      while (true) {
        for (String path : List.of("/metrics", "/api/status")) {
          try {
            client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.discarding());
          } catch (IOException e) {
            System.out.println("scrape of " + path + " failed: " + e);
          } catch (InterruptedException e) {
            return;
          }
        }
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
  }

  private static void fail(String message) {
    System.out.println("FAILED " + message);
    System.out.flush();
    System.exit(1);
  }
}
