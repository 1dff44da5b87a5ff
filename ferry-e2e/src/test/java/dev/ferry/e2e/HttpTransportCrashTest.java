package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.WorkloadRunner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A primary and a replica node as two {@code bin/ferry run} processes with separate directories,
 * talking only over HTTP on 127.0.0.1: the primary captures PostgreSQL and serves its sealed
 * segments ({@code journal.serve.http}, with a bearer token); the replica node pulls them into its
 * own journal copy ({@code journal.from.http}) and applies the copy to a PostgreSQL and a SQLite
 * replica (seeded from the source first). Under a 4-client load the sender and the receiver are
 * each killed with SIGKILL three times at seeded random moments (a download in flight included)
 * and restarted: both replicas end equal to the source, every sealed segment of the copy has the
 * SHA-256 of the primary's, the token never shows in logs or status, and the copy purges what
 * both replicas applied.
 */
@Timeout(600)
class HttpTransportCrashTest {
  private static final long SEED = 14_0080L;
  private static final String TOKEN = "e2e-token-7f3a";

  @TempDir Path dir;

  @Test
  void senderAndReceiverKilledAtRandomLoseAndDuplicateNothingAndTheCopyIsByteIdentical() throws Exception {
    SplittableRandom random = new SplittableRandom(SEED);
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Path primaryJournal = dir.resolve("primary/journal");
      Path copy = dir.resolve("replica/journal");
      Files.createDirectories(primaryJournal.getParent());
      Files.createDirectories(copy.getParent());
      int port = NodePair.freePort();
      String url = "http://127.0.0.1:" + port + "/";
      Path primaryConfig = Files.writeString(dir.resolve("primary.yaml"), "source:\n  name: primary\n  url: "
          + t.primaryUrl + "\n  tables: { include: ['public\\..*'] }\njournal:\n  dir: " + primaryJournal
          + "\n  segment-size: 64KiB\n  segment-age: 1s\n  serve:\n    http:\n      listen: 127.0.0.1:" + port
          + "\n      token: " + TOKEN + "\n");
      Path replicaConfig = Files.writeString(dir.resolve("replica.yaml"), "source:\n  name: primary\n  url: "
          + t.primaryUrl + "\n  tables: { include: ['public\\..*'] }\njournal:\n  dir: " + copy
          + "\n  from:\n    http:\n      url: " + url + "\n      token: " + TOKEN
          + "\n      poll-interval: 200ms\n      retry-max: 1s\nreplicas:\n  - name: pg\n    url: "
          + t.pgReplicaUrl + "\n  - name: lite\n    url: " + t.liteReplica.jdbcUrl() + "\n");
      NodePair nodes = new NodePair(cli, dir, primaryConfig, replicaConfig);
      nodes.startPrimary();
      assertThat(get(url + "segments.list", Optional.empty()).statusCode()).as("no token: 401").isEqualTo(401);
      // The copy takes the primary's UUID from segment 1: the primary must have written something.
      t.load();
      nodes.startReplica();
      try (WorkloadRunner workload = t.workload(5)) {
        nodes.killBothAtRandom(random, workload, 3);
      }
      assertThat(t.awaitEqual(Duration.ofSeconds(240))).as("differences; %s", nodes.logs()).isEmpty();
      assertThat(nodes.primary.isAlive()).isTrue();
      assertThat(nodes.replica.isAlive()).isTrue();

      // The status file is written about once a second, and the last segment is sealed by age after the load:
      // read until the link settled and the JSON and the text agree.
      Await.untilAsserted(Duration.ofSeconds(30), () -> {
        JsonNode link = Status.of(cli, replicaConfig).path("links").get(0);
        assertThat(link.path("kind").asString()).as("link %s", link).isEqualTo("http");
        assertThat(link.path("name").asString()).as("link %s", link).isEqualTo(url);
        assertThat(link.path("state").asString()).as("link %s", link).isEqualTo("waiting");
        assertThat(link.path("lastError").isNull()).as("link %s", link).isTrue();
        assertThat(link.path("waitingFor").asLong()).as("link %s", link).isGreaterThan(3);
        FerryCli.Result text = cli.run(Duration.ofSeconds(60), "status", "-c", replicaConfig.toString());
        assertThat(text.stdout()).contains("link     http " + url + ": waiting")
            .contains("waiting for segment " + link.path("waitingFor").asLong()).doesNotContain(TOKEN);
      });
      assertThat(NodePair.read(nodes.replicaLog)).doesNotContain(TOKEN);
      assertThat(NodePair.read(nodes.primaryLog)).doesNotContain(TOKEN);

      HttpResponse<byte[]> listing = get(url + "segments.list", Optional.of(TOKEN));
      assertThat(listing.statusCode()).isEqualTo(200);
      assertThat(new String(listing.body(), StandardCharsets.US_ASCII))
          .contains(DirectoryTransportCrashTest.sealed(primaryJournal).getFirst().getFileName().toString());
      // Both replicas acknowledge what they committed; the copy then purges what both applied.
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (Files.exists(copy.resolve(DirectoryTransportCrashTest.sealed(primaryJournal).getFirst().getFileName()))
          && System.nanoTime() < deadline) {
        Thread.sleep(300);
      }
      assertThat(copy.resolve(DirectoryTransportCrashTest.sealed(primaryJournal).getFirst().getFileName()))
          .as("segment 1 purged from the copy").doesNotExist();
      NodePair.assertSealedSegmentsIdentical(primaryJournal, copy);
      nodes.terminateBoth();
    }
  }

  private static HttpResponse<byte[]> get(String url, Optional<String> token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    token.ifPresent(tok -> b.header("Authorization", "Bearer " + tok));
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        .send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }
}
