package dev.ferry.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.SegmentState;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.transport.CopyReceiver;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.LinkState;
import dev.ferry.transport.LinkStatus;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A primary keeps sealed segments for the replica nodes it lists until each reports having them
 * (journal.serve.http.consumers, journal.from.http.consumer), refuses a node it does not list with
 * the reason, and a receiver gives up on a body that stops mid-way instead of hanging.
 */
@Timeout(60)
class HttpConsumersTest {
  private static final Duration FAST = Duration.ofMillis(20);
  @TempDir Path primary;
  @TempDir Path copy;

  private List<SegmentInfo> writeSealed(int transactions) throws Exception {
    try (Journal journal = Journal.open(JournalConfig.defaults(primary).withSegmentBytes(4096))) {
      for (long seq = 1; seq <= transactions; seq++) {
        journal.append(Transactions.accounts(seq)).join();
      }
    }
    return JournalInspector.list(primary).stream().filter(s -> s.state() != SegmentState.OPEN).toList();
  }

  private CopyReceiver receive(URI url, Optional<String> consumer, Duration stall) throws Exception {
    return HttpReceiver.start(JournalConfig.defaults(copy),
        new JournalFrom.Http(url, Optional.empty(), FAST, FAST.multipliedBy(4), Optional.empty(), consumer), stall);
  }

  private static LinkStatus await(CopyReceiver r, String what, Predicate<LinkStatus> condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.test(r.status())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what + "; status " + r.status());
      }
      Thread.sleep(10);
    }
    return r.status();
  }

  @Test
  void aListedConsumerHoldsThePrimarysSegmentsUntilItHasThemAndThenReleasesThem() throws Exception {
    List<SegmentInfo> sealed = writeSealed(200);
    assertThat(sealed.size()).isGreaterThan(3);
    long next = sealed.getLast().number() + 1;
    try (SegmentServer server = SegmentServer.start(primary,
        new HttpServeConfig("127.0.0.1", 0, Optional.empty(), Optional.empty(), List.of("east")));
        CopyReceiver r = receive(URI.create("http://" + server.address()), Optional.of("east"), Duration.ofSeconds(30))) {
      await(r, "every sealed segment is in the copy", s -> s.received().map(p -> p.segment() >= next).orElse(false));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!JournalPosition.startOf(next).equals(Journal.consumers(primary).get("http.east"))) {
        assertThat(System.nanoTime()).as("consumers %s", Journal.consumers(primary)).isLessThan(deadline);
        Thread.sleep(10);
      }
    }
    // Held back one segment below what it reported, then released once it has everything.
    Journal.acknowledge(primary, "http.east", JournalPosition.startOf(2));
    // (The journal's maintenance thread may purge on open before the calls here do: look at files.)
    try (Journal journal = Journal.open(JournalConfig.defaults(primary).withSegmentBytes(4096))) {
      journal.purge();
      assertThat(sealed.getFirst().path()).as("segment 1, which east has").doesNotExist();
      assertThat(sealed.get(1).path()).as("segment 2, which east reported lacking").exists();
      Journal.acknowledge(primary, "http.east", JournalPosition.startOf(next));
      journal.purge();
      for (SegmentInfo s : sealed) {
        assertThat(s.path()).as("segment %d once east has everything", s.number()).doesNotExist();
      }
    }
  }

  @Test
  void aConsumerThePrimaryDoesNotListIsRefusedWithTheReasonAndHoldsNothing() throws Exception {
    writeSealed(60);
    try (SegmentServer server = SegmentServer.start(primary,
        new HttpServeConfig("127.0.0.1", 0, Optional.empty(), Optional.empty(), List.of("east")));
        CopyReceiver r = receive(URI.create("http://" + server.address()), Optional.of("west"), Duration.ofSeconds(30))) {
      LinkStatus s = await(r, "the refusal is reported", x -> x.state() == LinkState.RETRYING);
      assertThat(s.lastError().orElseThrow()).contains("HTTP 400: refused: consumer 'west' is not listed in"
          + " journal.serve.http.consumers on this primary (it lists [east])");
      assertThat(Journal.consumers(primary)).doesNotContainKey("http.west");
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> lying = client.send(HttpRequest.newBuilder(URI.create("http://" + server.address()
          + "/segments.list")).header("Ferry-Consumer", "east").header("Ferry-Received", "99999").build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(lying.statusCode()).isEqualTo(400);
      assertThat(lying.body()).contains("Ferry-Received 99999 is outside 1..");
      HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(URI.create("http://" + server.address()
          + "/segments.list")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).as("a mirror without the headers is served").isEqualTo(200);
    }
  }

  @Test
  void aBodyThatStopsMidWayIsGivenUpOnAndRetried() throws Exception {
    try (ServerSocket stalling = new ServerSocket(0)) {
      Thread server = Thread.ofVirtual().start(() -> {
        while (!stalling.isClosed()) {
          try {
            Socket s = stalling.accept();
            Thread.ofVirtual().start(() -> stallAfterTenBytes(s));
          } catch (java.io.IOException e) {
            return;
          }
        }
      });
      try (CopyReceiver r = receive(URI.create("http://127.0.0.1:" + stalling.getLocalPort() + "/"), Optional.empty(),
          Duration.ofMillis(300))) {
        LinkStatus s = await(r, "the stall is reported", x -> x.lastError().isPresent());
        assertThat(s.lastError().orElseThrow()).contains("segments.list: no data for 300 ms mid-body");
        assertThat(s.state()).isEqualTo(LinkState.RETRYING);
      }
      stalling.close();
      server.join(5_000);
    }
  }

  private static void stallAfterTenBytes(Socket s) {
    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
      in.read(new byte[8192]);
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n0123456789")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(20_000);
    } catch (Exception e) {
      // the receiver hung up
    }
  }
}
