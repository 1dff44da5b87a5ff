package dev.ferry.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.SharedSecret;
import dev.ferry.transport.push.LinkTiming;
import dev.ferry.transport.push.PushTarget;
import dev.ferry.transport.push.SyncLevel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code journal.push[]} on a primary and {@code journal.from.listen} on a replica node, refused with the key's name. */
class PushTransportConfigTest {
  private static final Path FILE = Path.of("/etc/ferry/ferry.yaml");
  private static final String SECRET = "s3cret-s3cret-s3cret";
  private static final String NODE = """
      source:
        name: primary
        url: jdbc:postgresql://10.0.0.1:5432/app?user=ferry
      journal:
        dir: /var/lib/ferry/journal
      """;

  private static FerryConfig parse(String yaml) throws ConfigException {
    return FerryConfig.parse(yaml, FILE, Map.of("PUSH_SECRET", SECRET));
  }

  private static String refused(String yaml) {
    try {
      parse(yaml);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).doesNotContain("\n").doesNotContain(SECRET);
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + yaml);
  }

  @Test
  void readsPushTargetsWithDefaultsAndNeverPrintsTheSecret() throws ConfigException {
    FerryConfig c = parse(NODE + """
          push:
            - name: b
              to: db-b.internal:8452
              secret: ${PUSH_SECRET}
            - name: c
              to: 10.0.0.3:9000
              secret: ${PUSH_SECRET}
              sync: receive
              sync-timeout: 3s
              heartbeat: 500ms
              timeout: 5s
        """);
    assertThat(c.push()).containsExactly(
        new PushTarget("b", "db-b.internal", 8452, new SharedSecret(SECRET)),
        new PushTarget("c", "10.0.0.3", 9000, new SharedSecret(SECRET), Optional.empty(),
            new LinkTiming(Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofSeconds(30), 64 << 20),
            SyncLevel.RECEIVE, Duration.ofSeconds(3)));
    assertThat(c.describe()).contains("push b to db-b.internal:8452, secret ****, plain TCP, asynchronous")
        .contains("push c to 10.0.0.3:9000, secret ****, plain TCP, sync receive (excluded after 3s)")
        .doesNotContain(SECRET);
  }

  @Test
  void readsListenOnAReplicaNode() throws ConfigException {
    FerryConfig c = parse(NODE + "  from:\n    listen:\n      address: 0.0.0.0:8452\n      secret: ${PUSH_SECRET}\n");
    assertThat(c.from()).contains(new JournalFrom.Listen("0.0.0.0", 8452, new SharedSecret(SECRET), Optional.empty(),
        LinkTiming.DEFAULT));
    assertThat(parse(NODE + "  from:\n    listen:\n      secret: x234567890123456\n").from().orElseThrow())
        .isInstanceOfSatisfying(JournalFrom.Listen.class, l -> assertThat(l.address()).isEqualTo("127.0.0.1:8452"));
    assertThat(c.describe()).contains("from push, listening on 0.0.0.0:8452, secret ****").doesNotContain(SECRET);
  }

  @Test
  void refusesBadPushSettingsNamingTheKey() {
    String target = "  push:\n    - name: b\n      to: h:1\n      secret: ${PUSH_SECRET}\n";
    assertThat(refused(NODE + "  push:\n    - name: b\n      secret: ${PUSH_SECRET}\n"))
        .isEqualTo("/etc/ferry/ferry.yaml:7: journal.push[0].to: required key is missing");
    assertThat(refused(NODE + "  push:\n    - name: b\n      to: h:1\n      secret: short\n"))
        .contains("journal.push[0].secret: a shared secret must have at least 16 characters, got 5");
    assertThat(refused(NODE + target + "      sync: always\n"))
        .contains("journal.push[0].sync: 'always' is not receive, apply or none");
    assertThat(refused(NODE + target + "      sync-timeout: 2s\n"))
        .contains("journal.push[0].sync-timeout: applies to a synchronous replica node");
    assertThat(refused(NODE + target + "      heartbeat: 2s\n      timeout: 3s\n"))
        .contains("journal.push[0].timeout: 3s is shorter than twice the heartbeat 2s");
    assertThat(refused(NODE + target + "      colour: red\n")).contains("journal.push[0].colour");
    assertThat(refused(NODE + target + "    - name: b\n      to: h:2\n      secret: ${PUSH_SECRET}\n"))
        .contains("journal.push[1].name: 'b' names another push target too");
    assertThat(refused(NODE + "  push:\n    - name: b\n      to: h\n      secret: ${PUSH_SECRET}\n"))
        .contains("journal.push[0].to: 'h' is not host:port");
  }

  @Test
  void refusesListenWithAnotherSourceAndPushingACopy() {
    String listen = "  from:\n    listen:\n      secret: ${PUSH_SECRET}\n";
    assertThat(refused(NODE + listen + "    directory: /in\n")).contains("contradicts journal.from.listen");
    assertThat(refused(NODE + listen + "  push:\n    - name: b\n      to: h:1\n      secret: ${PUSH_SECRET}\n"))
        .contains("journal.push: a journal copy").contains("is not pushed again");
    assertThat(refused(NODE + "  from:\n    listen:\n      address: 0.0.0.0:8452\n"))
        .contains("journal.from.listen.secret: required key is missing");
    assertThat(List.of(refused(NODE + "  from:\n    listen:\n      secret: ${PUSH_SECRET}\n      max-frame: 1KiB\n")))
        .anySatisfy(m -> assertThat(m).contains("journal.from.listen.max-frame"));
  }
}
