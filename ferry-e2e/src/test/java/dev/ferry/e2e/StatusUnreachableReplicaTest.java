package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code ferry status} with no process running reads each replica itself: replicas whose database
 * accepts connections and never answers (black-holed) are shown {@code unreachable} after the
 * short connect timeout, read side by side, instead of holding status up without end.
 */
@Timeout(180)
class StatusUnreachableReplicaTest {
  @TempDir Path dir;

  @Test
  void silentReplicasAreShownUnreachableWithinTheConnectTimeoutNotWaitedForWithoutEnd() throws Exception {
    // The kernel completes TCP handshakes into the backlog; nothing ever reads or answers.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        FerryCli cli = new FerryCli(dir)) {
      String url = "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/";
      Path config = FerryYaml.source("jdbc:postgresql://127.0.0.1:1/none", dir.resolve("journal"))
          .replica("r1", url + "one").replica("r2", url + "two").replica("r3", url + "three")
          .writeTo(dir.resolve("ferry.yaml"));

      long start = System.nanoTime();
      FerryCli.Result json = cli.run(Duration.ofSeconds(90), "status", "--json", "-c", config.toString());
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(json.exitCode()).as(json.all()).isZero();
      // Three 3 s connect timeouts side by side, plus a JVM's start on a loaded machine; without the
      // bound the driver waits for the login's answer without end.
      assertThat(took).as("ferry status took %s: %s", took, json.all()).isLessThan(Duration.ofSeconds(45));
      JsonNode status = NodeHttp.parse(json.stdout());
      for (String name : new String[] {"r1", "r2", "r3"}) {
        JsonNode r = Status.replica(status, name);
        assertThat(r.path("state").asString()).as("%s", r).isEqualTo("unreachable");
        assertThat(r.path("lastError").asString()).as("%s", r).contains("cannot read the replica (connect timeout 3 s");
      }

      FerryCli.Result text = cli.run(Duration.ofSeconds(90), "status", "-c", config.toString());
      assertThat(text.exitCode()).as(text.all()).isZero();
      assertThat(text.stdout()).contains("replica  r1: unreachable").contains("replica  r3: unreachable");
    }
  }
}
