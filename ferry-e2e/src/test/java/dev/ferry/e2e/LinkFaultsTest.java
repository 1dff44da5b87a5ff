package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * What the transport fault tests share: one {@link FaultyLink} for the whole class, its faults
 * healed after each test, the tests in their declared order (each ends with the replica converged,
 * the next starts from there).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(180)
abstract class LinkFaultsTest {
  @TempDir static Path dir;
  FaultyLink link;

  abstract FaultyLink.Kind kind();

  @BeforeAll
  void start() throws Exception {
    link = FaultyLink.start(dir, kind());
  }

  @AfterEach
  void heal() {
    link.proxy.heal();
  }

  @AfterAll
  void stop() throws Exception {
    if (link != null) {
      link.close();
    }
  }

  /** Waits until status shows {@code text} in the link's last error, on the primary or the replica node. */
  JsonNode awaitLinkError(boolean onPrimary, String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      JsonNode l = link.link(onPrimary);
      if (l.path("lastError").asString("").contains(text)) {
        return l;
      }
      assertThat(System.nanoTime()).as("status shows '%s': %s", text, l).isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
