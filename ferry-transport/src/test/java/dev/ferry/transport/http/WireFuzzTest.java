package dev.ferry.transport.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.transport.CopyReceiver;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.LinkState;
import dev.ferry.transport.LinkStatus;
import dev.ferry.transport.SegmentListing;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input on the HTTP wire, seeded: random and mutated listings, huge lengths, bodies shorter or
 * longer than their {@code Content-Length}, a server that lies about it. Each is refused with an
 * error naming the document and the numbers, and nothing allocates what a sender merely claims (the
 * tests run in a 512 MiB heap; a 2 GiB or 3 GB claim taken at its word would fail them).
 */
@Timeout(120)
class WireFuzzTest {
  private static final long SEED = 0x14_4771L;

  private static byte[] validListing(int segments) {
    List<SegmentListing.Entry> entries = new ArrayList<>();
    for (int i = 1; i <= segments; i++) {
      entries.add(new SegmentListing.Entry(SegmentFiles.sealedName(i, 10 + i), 1000 + i,
          "%064x".formatted(i)));
    }
    return new SegmentListing(new UUID(1, 2), entries).encode();
  }

  @Test
  void aListingRoundTrips() throws IOException {
    byte[] text = validListing(5);
    SegmentListing listing = SegmentListing.parse(text, "l");
    assertThat(listing.encode()).isEqualTo(text);
    assertThat(listing.entries().get(2).number()).isEqualTo(3);
    assertThat(listing.entries().get(2).records()).isEqualTo(13);
  }

  @Test
  void randomBytesAndMutatedListingsAreRefusedWithTheLineOrParsedNeverAnythingElse() {
    SplittableRandom random = new SplittableRandom(SEED);
    byte[] valid = validListing(8);
    int refused = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] input;
      if (i % 4 == 0) {
        input = new byte[random.nextInt(600)];
        random.nextBytes(input);
      } else {
        input = valid.clone();
        for (int m = 0; m <= random.nextInt(4); m++) {
          input[random.nextInt(input.length)] = (byte) (i % 3 == 0 ? random.nextInt(256) : " -\n0123456789af".charAt(
              random.nextInt(15)));
        }
      }
      try {
        SegmentListing parsed = SegmentListing.parse(input, "fuzz");
        assertThat(parsed.entries().size()).isLessThanOrEqualTo(8);
      } catch (SegmentListing.ListingException e) {
        refused++;
        assertThat(e.getMessage()).startsWith("fuzz:");
        assertThat(e.getMessage().length()).isLessThan(400);
      }
    }
    assertThat(refused).as("most mutations are refused").isGreaterThan(10_000);
  }

  @Test
  void precisErrorsNameTheLineAndWhatIsWrong() {
    String head = "ferry-segments 1\njournal " + new UUID(1, 2) + "\n";
    String name = SegmentFiles.sealedName(1, 3);
    String sha = "0".repeat(64);
    assertThat(refusal(head + name + " 99999999999999999999 " + sha + "\n"))
        .isEqualTo("l:3: size '99999999999999999999' of " + name + " is not a number of bytes from 1 to "
            + SegmentListing.MAX_SEGMENT_BYTES);
    assertThat(refusal(head + name + " 2147483648 " + sha + "\n")).startsWith("l:3: size '2147483648'");
    assertThat(refusal(head + name + " -5 " + sha + "\n")).startsWith("l:3: size '-5'");
    assertThat(refusal(head + "../../etc/passwd 5 " + sha + "\n"))
        .isEqualTo("l:3: '../../etc/passwd' is not a sealed segment's name");
    assertThat(refusal(head + name + " 5 " + sha + "\n" + name + " 5 " + sha + "\n"))
        .isEqualTo("l:4: segment 1 is listed after segment 1 (segments must be listed by increasing number)");
    assertThat(refusal(head + name + " 5 " + sha)).startsWith("l:3: the last line does not end with a newline");
    assertThat(refusal("<html>\n")).startsWith("l:1: does not start with 'ferry-segments 1'");
    assertThat(refusal(head + name + " 5 " + "A".repeat(64) + "\n"))
        .contains("is not a SHA-256");
  }

  private static String refusal(String text) {
    try {
      SegmentListing.parse(text.getBytes(StandardCharsets.ISO_8859_1), "l");
    } catch (SegmentListing.ListingException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + text);
  }

  @Test
  void aBodyIsTakenOnlyAsLongAsItIsAndAsExpected() throws IOException {
    byte[] ten = new byte[10];
    assertThat(BodyReader.read(new ByteArrayInputStream(ten), "u", OptionalLong.of(10), OptionalLong.of(10), 100))
        .hasSize(10);
    assertThatThrownBy(() -> BodyReader.read(new ByteArrayInputStream(ten), "u", OptionalLong.of(2_147_483_648L),
        OptionalLong.empty(), SegmentListing.MAX_BYTES))
        .hasMessage("u: Content-Length 2147483648 is more than the " + SegmentListing.MAX_BYTES + " bytes taken");
    assertThatThrownBy(() -> BodyReader.read(new ByteArrayInputStream(ten), "u", OptionalLong.of(-1),
        OptionalLong.empty(), 100)).hasMessage("u: Content-Length -1 is negative");
    assertThatThrownBy(() -> BodyReader.read(new ByteArrayInputStream(ten), "u", OptionalLong.of(12),
        OptionalLong.of(10), 100)).hasMessage("u: Content-Length 12 but the listing says 10 bytes");
    assertThatThrownBy(() -> BodyReader.read(new ByteArrayInputStream(ten), "u", OptionalLong.of(2_000_000_000),
        OptionalLong.of(2_000_000_000), SegmentListing.MAX_SEGMENT_BYTES))
        .hasMessage("u: the body ended after 10 of the 2000000000 bytes of its Content-Length");
    assertThatThrownBy(() -> BodyReader.read(new ByteArrayInputStream(ten), "u", OptionalLong.empty(),
        OptionalLong.of(9), 100)).hasMessage("u: the body goes on past 9 bytes (the listing says 9)");
    assertThatThrownBy(() -> BodyReader.read(new ByteArrayInputStream(ten), "u", OptionalLong.empty(),
        OptionalLong.empty(), 4)).hasMessage("u: the body goes on past 4 bytes");
    assertThatThrownBy(() -> BodyReader.read(new BrokenStream(7), "u", OptionalLong.of(10), OptionalLong.empty(), 100))
        .hasMessageStartingWith("u: the body broke off after 7 bytes (Content-Length 10): ");
  }

  @Test
  void aBodyOfManyMebibytesArrivingInOddPiecesIsTakenWhole() throws IOException {
    SplittableRandom random = new SplittableRandom(SEED + 2);
    for (int size : new int[] {0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (5 << 19) + 7, 3 << 20}) {
      byte[] body = new byte[size];
      random.nextBytes(body);
      InputStream trickle = new java.io.FilterInputStream(new ByteArrayInputStream(body)) {
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          return super.read(b, off, Math.min(len, 1 + random.nextInt(70_000)));
        }
      };
      assertThat(BodyReader.read(trickle, "u", OptionalLong.of(size), OptionalLong.of(size), size))
          .isEqualTo(body);
      assertThat(BodyReader.read(new ByteArrayInputStream(body), "u", OptionalLong.empty(), OptionalLong.empty(),
          SegmentListing.MAX_SEGMENT_BYTES)).isEqualTo(body);
    }
    byte[] oneMore = new byte[(1 << 20) + 1];
    assertThatThrownBy(() -> BodyReader.read(new ByteArrayInputStream(oneMore), "u", OptionalLong.empty(),
        OptionalLong.of(1 << 20), SegmentListing.MAX_SEGMENT_BYTES))
        .hasMessage("u: the body goes on past 1048576 bytes (the listing says 1048576)");
  }

  @Test
  void randomBodiesAndClaimsNeverAllocateWhatIsClaimed() {
    SplittableRandom random = new SplittableRandom(SEED + 1);
    for (int i = 0; i < 5_000; i++) {
      byte[] body = new byte[random.nextInt(2000)];
      random.nextBytes(body);
      OptionalLong claimed = random.nextBoolean() ? OptionalLong.empty()
          : OptionalLong.of(random.nextBoolean() ? body.length : random.nextLong(-5, Long.MAX_VALUE));
      OptionalLong exact = random.nextBoolean() ? OptionalLong.empty()
          : OptionalLong.of(random.nextBoolean() ? body.length : random.nextLong(1, SegmentListing.MAX_SEGMENT_BYTES));
      try {
        byte[] got = BodyReader.read(new ByteArrayInputStream(body), "u", claimed, exact, SegmentListing.MAX_SEGMENT_BYTES);
        assertThat(got).isEqualTo(body);
      } catch (IOException e) {
        assertThat(e.getMessage()).startsWith("u: ");
      }
    }
  }

  /** A server that answers every request with {@code head} and then {@code body}, and closes. */
  private static Thread liar(ServerSocket socket, String head, byte[] body) {
    return Thread.ofVirtual().start(() -> {
      while (!socket.isClosed()) {
        try (Socket s = socket.accept()) {
          InputStream in = s.getInputStream();
          byte[] request = new byte[4096];
          in.read(request);
          OutputStream out = s.getOutputStream();
          out.write(head.getBytes(StandardCharsets.US_ASCII));
          out.write(body);
          out.flush();
        } catch (IOException e) {
          return;
        }
      }
    });
  }

  @Test
  void aServerLyingAboutContentLengthIsShownPreciselyAndTheLinkKeepsTrying(@TempDir Path copy) throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      liar(socket, "HTTP/1.1 200 OK\r\nContent-Length: 3000000000\r\nConnection: close\r\n\r\n",
          "ferry-segments 1\n".getBytes(StandardCharsets.US_ASCII));
      URI url = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
      try (CopyReceiver r = HttpReceiver.start(JournalConfig.defaults(copy),
          new JournalFrom.Http(url, Optional.empty(), Duration.ofMillis(20), Duration.ofMillis(50)))) {
        LinkStatus s = awaitError(r);
        assertThat(s.lastError().orElseThrow()).isEqualTo(url + "segments.list: Content-Length 3000000000 is more"
            + " than the " + SegmentListing.MAX_BYTES + " bytes taken");
        assertThat(s.received()).isEmpty();
      }
    }
    try (ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      liar(socket, "HTTP/1.1 200 OK\r\nContent-Length: 500\r\nConnection: close\r\n\r\n", validListing(1));
      URI url = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
      try (CopyReceiver r = HttpReceiver.start(JournalConfig.defaults(copy),
          new JournalFrom.Http(url, Optional.empty(), Duration.ofMillis(20), Duration.ofMillis(50)))) {
        LinkStatus s = awaitError(r);
        assertThat(s.lastError().orElseThrow()).startsWith(url + "segments.list: ")
            .containsAnyOf("the body ended after", "the body broke off after");
        assertThat(s.received()).isEmpty();
      }
    }
  }

  private static LinkStatus awaitError(CopyReceiver r) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (r.status().state() != LinkState.RETRYING) {
      assertThat(System.nanoTime()).as("an error within 30 s: %s", r.status()).isLessThan(deadline);
      Thread.sleep(10);
    }
    return r.status();
  }

  /** Gives {@code n} bytes, then fails as a connection reset would. */
  private static final class BrokenStream extends InputStream {
    private int left;

    BrokenStream(int n) {
      this.left = n;
    }

    @Override
    public int read() throws IOException {
      if (left-- > 0) {
        return 0;
      }
      throw new IOException("connection reset");
    }
  }
}
