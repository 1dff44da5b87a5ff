package dev.ferry.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.transport.BearerToken;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.SharedSecret;
import dev.ferry.transport.push.LinkTiming;
import dev.ferry.transport.push.PushTarget;
import dev.ferry.transport.archive.ArchiveTarget;
import dev.ferry.transport.http.HttpServeConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The worked topologies in docs/transports.md (archive directory, HTTP, TCP push) load as the text says. */
class TransportsDocExamplesTest {
  private static final Path DOC = Path.of("..", "docs", "transports.md");

  private static List<String> yamlBlocks() throws IOException {
    Matcher m = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(DOC));
    List<String> blocks = new ArrayList<>();
    while (m.find()) {
      blocks.add(m.group(1));
    }
    assertThat(blocks).hasSize(7);
    return blocks;
  }

  @Test
  void theArchiveDirectoryTopologyLoads() throws IOException, ConfigException {
    List<String> blocks = yamlBlocks();
    Map<String, String> env = Map.of("PGPASSWORD", "pw");

    FerryConfig primary = FerryConfig.parse(blocks.get(0), Path.of("/etc/ferry/ferry.yaml"), env);
    FerryConfig replica = FerryConfig.parse(blocks.get(1), Path.of("/etc/ferry/ferry.yaml"), env);

    assertThat(primary.archive().target()).isInstanceOf(ArchiveTarget.Command.class);
    assertThat(primary.from()).isEmpty();
    assertThat(replica.from()).contains(new JournalFrom.Directory(Path.of("/var/lib/ferry/incoming"),
        Duration.ofSeconds(1)));
    assertThat(replica.replicas()).extracting(ReplicaSettings::name).containsExactly("reporting", "cache");
  }

  @Test
  void theHttpTopologyLoads() throws IOException, ConfigException {
    List<String> blocks = yamlBlocks();
    Map<String, String> env = Map.of("PGPASSWORD", "pw", "FERRY_TOKEN", "tok");

    FerryConfig primary = FerryConfig.parse(blocks.get(2), Path.of("/etc/ferry/ferry.yaml"), env);
    FerryConfig replica = FerryConfig.parse(blocks.get(3), Path.of("/etc/ferry/ferry.yaml"), env);

    assertThat(primary.serve()).contains(new HttpServeConfig("0.0.0.0", 8451, Optional.of(new BearerToken("tok")),
        Optional.empty(), List.of("b")));
    assertThat(primary.from()).isEmpty();
    assertThat(replica.from()).contains(new JournalFrom.Http(URI.create("http://db-a.internal:8451/"),
        Optional.of(new BearerToken("tok")), Duration.ofSeconds(1), Duration.ofSeconds(30), Optional.empty(),
        Optional.of("b")));
    assertThat(replica.serve()).isEmpty();
    assertThat(replica.replicas()).extracting(ReplicaSettings::name).containsExactly("reporting", "cache");
  }

  @Test
  void thePushTopologyLoads() throws IOException, ConfigException {
    List<String> blocks = yamlBlocks();
    Map<String, String> env = Map.of("PGPASSWORD", "pw", "FERRY_PUSH_SECRET", "a-secret-of-16-chars");

    FerryConfig primary = FerryConfig.parse(blocks.get(4), Path.of("/etc/ferry/ferry.yaml"), env);
    FerryConfig replica = FerryConfig.parse(blocks.get(5), Path.of("/etc/ferry/ferry.yaml"), env);

    SharedSecret secret = new SharedSecret("a-secret-of-16-chars");
    assertThat(primary.push()).containsExactly(new PushTarget("b", "db-b.internal", 8452, secret));
    assertThat(primary.from()).isEmpty();
    assertThat(replica.from()).contains(new JournalFrom.Listen("0.0.0.0", 8452, secret, Optional.empty(),
        LinkTiming.DEFAULT));
    assertThat(replica.push()).isEmpty();
    assertThat(replica.replicas()).extracting(ReplicaSettings::name).containsExactly("reporting");
  }
}
