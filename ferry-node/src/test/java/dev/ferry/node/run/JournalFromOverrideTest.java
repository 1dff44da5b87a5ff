package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.transport.BearerToken;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.SharedSecret;
import dev.ferry.transport.push.LinkTiming;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalFromOverrideTest {
  @TempDir Path dir;

  private static final JournalFrom.Http FROM_A = new JournalFrom.Http(URI.create("http://a:8451/"),
      Optional.of(new BearerToken("secret-token-of-a")), Duration.ofMillis(200), Duration.ofSeconds(5),
      Optional.empty(), Optional.of("c"), Duration.ofSeconds(20));

  private static JournalFromOverride toB(JournalFrom configured) {
    return new JournalFromOverride(Instant.parse("2026-12-07T03:00:00Z"), "ferry repoint",
        Optional.of("http://b:8451/"), Optional.empty(), Optional.of("c"), JournalFromOverride.describe(configured));
  }

  @Test
  void noFileMeansTheConfiguredSource() throws IOException {
    assertThat(JournalFromOverride.read(dir)).isEmpty();
    assertThat(JournalFromOverride.effective(dir, FROM_A)).isSameAs(FROM_A);
  }

  @Test
  void theFileRoundTripsAndItsSourceReplacesTheConfiguredOneKeepingTokenAndTimings() throws IOException {
    JournalFromOverride o = toB(FROM_A);
    o.write(dir);
    assertThat(dir.resolve(JournalFromOverride.FILE)).exists();
    assertThat(dir.resolve(JournalFromOverride.FILE + ".tmp")).doesNotExist();
    assertThat(JournalFromOverride.read(dir)).contains(o);
    assertThat(o.overrides()).isEqualTo("http http://a:8451/ consumer c");

    JournalFrom effective = JournalFromOverride.effective(dir, FROM_A);
    assertThat(effective).isEqualTo(new JournalFrom.Http(URI.create("http://b:8451/"), FROM_A.token(),
        FROM_A.pollInterval(), FROM_A.retryMax(), Optional.empty(), Optional.of("c"), FROM_A.timeout()));
    assertThat(dir.resolve(JournalFromOverride.FILE)).as("an override that holds stays").exists();
  }

  @Test
  void aConfigurationChangedSinceWinsAndTheFileIsSetAside() throws IOException {
    toB(FROM_A).write(dir);
    JournalFrom.Http edited = new JournalFrom.Http(URI.create("http://d:8451/"), Optional.empty());
    assertThat(JournalFromOverride.effective(dir, edited)).isSameAs(edited);
    assertThat(dir.resolve(JournalFromOverride.FILE)).doesNotExist();
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith(JournalFromOverride.FILE + ".set-aside-"));
    }
    assertThat(JournalFromOverride.effective(dir, edited)).as("nothing left to apply").isSameAs(edited);
  }

  @Test
  void aDirectorySourceCanBeReplacedByHttpAndByAnotherDirectory() throws IOException {
    JournalFrom.Directory incoming = new JournalFrom.Directory(dir.resolve("incoming"));
    toB(incoming).write(dir);
    assertThat(JournalFromOverride.effective(dir, incoming)).isEqualTo(new JournalFrom.Http(URI.create("http://b:8451/"),
        Optional.empty(), JournalFrom.Http.DEFAULT_POLL, JournalFrom.Http.DEFAULT_RETRY_MAX, Optional.empty(),
        Optional.of("c"), JournalFrom.Http.DEFAULT_TIMEOUT));
    JournalFromOverride toDir = new JournalFromOverride(Instant.now(), "ferry repoint", Optional.empty(),
        Optional.of("/srv/other"), Optional.empty(), JournalFromOverride.describe(FROM_A));
    assertThat(toDir.applyTo(FROM_A)).isEqualTo(new JournalFrom.Directory(Path.of("/srv/other")));
  }

  @Test
  void aPushListenerIsNeverOverriddenAndTheRefusalSaysWhatToDo() throws IOException {
    JournalFrom.Listen listen = new JournalFrom.Listen("127.0.0.1", 8452, new SharedSecret("s".repeat(32)),
        Optional.empty(), LinkTiming.DEFAULT);
    toB(listen).write(dir);
    assertThat(JournalFromOverride.effective(dir, listen)).isSameAs(listen);
    assertThat(JournalFromOverride.read(dir).orElseThrow().appliesTo(listen)).isFalse();
    assertThatThrownBy(() -> toB(listen).applyTo(listen)).hasMessageContaining("push listener")
        .hasMessageContaining("journal.push");
  }

  @Test
  void aRepointNamesEitherAUrlOrADirectory() {
    assertThatThrownBy(() -> new JournalFromOverride(Instant.now(), "x", Optional.empty(), Optional.empty(),
        Optional.empty(), "http http://a/")).isInstanceOf(IllegalArgumentException.class);
  }
}
