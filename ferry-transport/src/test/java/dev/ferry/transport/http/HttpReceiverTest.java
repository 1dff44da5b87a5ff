package dev.ferry.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalIngest;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.SegmentState;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.transport.BearerToken;
import dev.ferry.transport.CopyFetch;
import dev.ferry.transport.CopyReceiver;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.LinkState;
import dev.ferry.transport.LinkStatus;
import dev.ferry.transport.SegmentListing;
import dev.ferry.transport.SegmentSource;
import dev.ferry.transport.archive.ArchiveConfig;
import dev.ferry.transport.archive.ArchiveTarget;
import dev.ferry.transport.archive.Archiver;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal copy pulled over HTTP, from Ferry's server and from a plain static file server holding
 * an archive directory: in order, byte-identical, resumed from the copy's own end, a corrupted
 * download fetched again, a wrong token or another journal shown in the link's status.
 */
@Timeout(90)
class HttpReceiverTest {
  private static final Duration FAST = Duration.ofMillis(20);
  @TempDir Path primary;
  @TempDir Path archive;
  @TempDir Path copy;

  /** Appends transactions {@code from..to} to the journal in {@code dir} (4 KiB segments); returns its sealed segments. */
  private static List<SegmentInfo> write(Path dir, long from, long to, Optional<Path> archiveTo) throws Exception {
    JournalConfig config = JournalConfig.defaults(dir).withSegmentBytes(4096)
        .withKeepUntilShipped(archiveTo.isPresent());
    try (Journal journal = Journal.open(config);
        Archiver archiver = archiveTo.isEmpty() ? null : Archiver.start(journal, ArchiveConfig.defaults()
            .withTarget(new ArchiveTarget.Directory(archiveTo.get())).withRetry(FAST, FAST))) {
      for (long seq = from; seq <= to; seq++) {
        journal.append(Transactions.accounts(seq)).join();
      }
      List<SegmentInfo> sealed = sealed(dir);
      if (archiver != null) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (JournalInspector.list(dir).stream().anyMatch(s -> s.state() == SegmentState.SEALED)) {
          assertThat(System.nanoTime()).as("archived in time").isLessThan(deadline);
          Thread.sleep(10);
        }
      }
      return sealed;
    }
  }

  private static List<SegmentInfo> sealed(Path dir) throws IOException {
    return JournalInspector.list(dir).stream().filter(s -> s.state() != SegmentState.OPEN).toList();
  }

  private CopyReceiver receive(URI url, Optional<BearerToken> token) throws IOException {
    return HttpReceiver.start(JournalConfig.defaults(copy), new JournalFrom.Http(url, token, FAST, FAST.multipliedBy(4)));
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

  private static boolean holds(LinkStatus s, long segmentsThrough) {
    return s.received().map(p -> p.segment() > segmentsThrough).orElse(false);
  }

  private void assertCopyIsThePrimarysInOrder(List<SegmentInfo> sealed) throws Exception {
    for (SegmentInfo s : sealed) {
      assertThat(copy.resolve(s.path().getFileName())).as("segment %d in the copy", s.number())
          .hasSameBinaryContentAs(s.path());
    }
    List<Long> seqs = new ArrayList<>();
    try (JournalReader reader = JournalReader.openAtOldest(copy)) {
      for (var t = reader.next(Duration.ZERO); t.isPresent(); t = reader.next(Duration.ZERO)) {
        seqs.add(t.get().gtid().seq());
      }
    }
    assertThat(seqs).isEqualTo(LongStream.rangeClosed(1, seqs.size()).boxed().toList());
  }

  @Test
  void pullsEverySealedSegmentFromFerrysServerInOrderByteForByte() throws Exception {
    List<SegmentInfo> sealed = write(primary, 1, 200, Optional.empty());
    BearerToken token = new BearerToken("t0ken");
    try (SegmentServer server = SegmentServer.start(primary, new HttpServeConfig("127.0.0.1", 0, Optional.of(token)));
        CopyReceiver r = receive(URI.create("http://" + server.address()), Optional.of(token))) {
      assertThat(r.awaitCopy(Duration.ofSeconds(30))).isTrue();
      LinkStatus done = await(r, "every sealed segment is in the copy", s -> holds(s, sealed.size()));
      assertThat(done.kind()).isEqualTo("http");
      assertThat(done.name()).isEqualTo("http://" + server.address() + "/");
      assertThat(done.waitingFor()).contains((long) sealed.size() + 1);
      assertThat(done.lastError()).isEmpty();
      assertThat(done.segments()).isEqualTo(sealed.size());
      assertThat(done.bytes()).isEqualTo(sealed.stream().mapToLong(SegmentInfo::sizeBytes).sum());
      assertThat(done.reconnects()).isZero();
    }
    assertCopyIsThePrimarysInOrder(sealed);
  }

  @Test
  void pullsFromAPlainStaticServerOfAnArchiveDirectoryAndResumesFromItsOwnEnd() throws Exception {
    List<SegmentInfo> first = write(primary, 1, 150, Optional.of(archive));
    assertThat(archive.resolve(SegmentListing.FILE_NAME)).exists();
    try (FileServer files = new FileServer(archive)) {
      try (CopyReceiver r = receive(files.url(), Optional.empty())) {
        await(r, "the first segments are in the copy", s -> holds(s, first.size()));
      }
      long fetched = files.segmentRequests();
      assertThat(fetched).as("each segment fetched once").isEqualTo(first.size());
      List<SegmentInfo> all = write(primary, 151, 300, Optional.of(archive));
      assertThat(all.size()).isGreaterThan(first.size());
      try (CopyReceiver r = receive(files.url(), Optional.empty())) {
        await(r, "the later segments are in the copy", s -> holds(s, all.size()));
      }
      // plus the newest segment the copy held, once, compared with the server's before anything new is taken
      assertThat(files.segmentRequests() - fetched).as("only the segments the copy lacked are fetched after a restart")
          .isEqualTo(all.size() - first.size() + 1);
      assertCopyIsThePrimarysInOrder(all);
    }
  }

  /** {@code ferry promote --fetch-from URL}: one pass of this source into an existing copy, through {@link CopyFetch}. */
  @Test
  void aFetchTakesWhatTheServerListsBeyondTheCopysEndInOnePass() throws Exception {
    List<SegmentInfo> sealed = write(primary, 1, 150, Optional.of(archive));
    try (JournalIngest ingest = JournalIngest.open(JournalConfig.defaults(copy), JournalInspector.journalId(primary))) {
      for (SegmentInfo s : sealed.subList(0, 2)) {
        ingest.appendSegment(s.number(), s.recordCount(), Files.readAllBytes(archive.resolve(s.path().getFileName())));
      }
    }
    try (FileServer files = new FileServer(archive)) {
      JournalFrom.Http from = new JournalFrom.Http(files.url(), Optional.empty());
      CopyFetch.Fetched f = CopyFetch.fromSource(JournalConfig.defaults(copy), HttpReceiver.source(from), "url");
      assertThat(f.toString()).startsWith("fetched 0-1-").contains("..0-1-" + sealed.getLast().lastGtid().orElseThrow()
          .seq() + " (", "segments 3.." + sealed.getLast().number() + ") from url");
      assertCopyIsThePrimarysInOrder(sealed);
      assertThat(CopyFetch.fromSource(JournalConfig.defaults(copy), HttpReceiver.source(from), "url").nothing()).isTrue();
    }
  }

  @Test
  void aCorruptedDownloadIsDetectedAndFetchedAgain() throws Exception {
    List<SegmentInfo> sealed = write(primary, 1, 120, Optional.of(archive));
    try (FileServer files = new FileServer(archive)) {
      files.corruptNext.set(2);
      try (CopyReceiver r = receive(files.url(), Optional.empty())) {
        LinkStatus retrying = await(r, "the corruption is reported", s -> s.state() == LinkState.RETRYING);
        assertThat(retrying.lastError().orElseThrow()).contains("00000000000000000001-")
            .contains("SHA-256").contains("corrupted in transit");
        assertThat(retrying.received()).as("nothing of a corrupted segment is in the copy").isEmpty();
        LinkStatus done = await(r, "every segment is in the copy", s -> holds(s, sealed.size()));
        assertThat(done.lastError()).isEmpty();
        assertThat(done.bytes()).as("the corrupted downloads are not counted")
            .isEqualTo(sealed.stream().mapToLong(SegmentInfo::sizeBytes).sum());
        assertThat(done.reconnects()).as("failures before the first pass got through are no reconnect").isZero();
      }
      assertThat(files.asked.stream().filter(p -> p.contains("00000000000000000001-")).count()).isEqualTo(3);
    }
    assertCopyIsThePrimarysInOrder(sealed);
  }

  @Test
  void aPassThatGetsThroughAfterAFailedOneCountsAReconnect() throws Exception {
    List<SegmentInfo> first = write(primary, 1, 120, Optional.of(archive));
    try (FileServer files = new FileServer(archive);
        CopyReceiver r = receive(files.url(), Optional.empty())) {
      await(r, "the first segments are in the copy", s -> holds(s, first.size()));
      assertThat(r.status().reconnects()).isZero();
      files.corruptNext.set(1);
      List<SegmentInfo> all = write(primary, 121, 240, Optional.of(archive));
      LinkStatus done = await(r, "the later segments are in the copy", s -> holds(s, all.size()));
      assertThat(done.reconnects()).as("one failed pass, then through again").isEqualTo(1);
      assertThat(done.bytes()).isEqualTo(all.stream().mapToLong(SegmentInfo::sizeBytes).sum());
    }
  }

  /**
   * The next segment is downloaded while the copy ingests the current one: each offer waits until
   * the server was asked for the segment after it (it would wait in vain, one download at a time).
   */
  @Test
  void theNextSegmentIsFetchedWhileTheCurrentOneIsIngested() throws Exception {
    List<SegmentInfo> sealed = write(primary, 1, 150, Optional.of(archive));
    assertThat(sealed.size()).isGreaterThan(3);
    try (FileServer files = new FileServer(archive)) {
      HttpReceiver source = HttpReceiver.source(new JournalFrom.Http(files.url(), Optional.empty(), FAST, FAST));
      List<Long> offered = new ArrayList<>();
      List<Boolean> nextAskedMeanwhile = new ArrayList<>();
      source.pass(new SegmentSource.Copy() {
        @Override
        public long next() {
          return offered.size() + 1;
        }

        @Override
        public void offer(long number, long records, byte[] bytes) {
          offered.add(number);
          if (number < sealed.size()) {
            String after = sealed.get((int) number).path().getFileName().toString();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (files.asked.stream().noneMatch(p -> p.endsWith(after)) && System.nanoTime() < deadline) {
              Thread.onSpinWait();
            }
            nextAskedMeanwhile.add(files.asked.stream().anyMatch(p -> p.endsWith(after)));
          }
        }

        @Override
        public java.util.Set<Long> held() {
          return java.util.Set.copyOf(offered);
        }

        @Override
        public void checkHeld(long number, byte[] bytes) {
        }

        @Override
        public boolean stopping() {
          return false;
        }
      });
      assertThat(offered).isEqualTo(LongStream.rangeClosed(1, sealed.size()).boxed().toList());
      assertThat(nextAskedMeanwhile).as("segment N+1 asked for while N was ingested").doesNotContain(false)
          .hasSize(sealed.size() - 1);
      assertThat(files.segmentRequests()).as("each segment fetched once").isEqualTo(sealed.size());
    }
  }

  @Test
  void aMissingSegmentIsWaitedForNotSkipped() throws Exception {
    List<SegmentInfo> sealed = write(primary, 1, 150, Optional.of(archive));
    Path second = archive.resolve(sealed.get(1).path().getFileName());
    Path aside = Files.move(second, primary.resolveSibling(primary.getFileName() + "-aside.seg"));
    try (FileServer files = new FileServer(archive);
        CopyReceiver r = receive(files.url(), Optional.empty())) {
      LinkStatus waiting = await(r, "it waits for segment 2", s -> s.waitingFor().equals(Optional.of(2L))
          && s.state() != LinkState.STARTING);
      Thread.sleep(200);
      assertThat(r.status().waitingFor()).contains(2L);
      assertThat(waiting.received().orElseThrow().segment()).isEqualTo(2);
      Files.move(aside, second);
      await(r, "every segment is in the copy", s -> holds(s, sealed.size()));
    }
    assertCopyIsThePrimarysInOrder(sealed);
  }

  @Test
  void aWrongTokenIsShownInTheLinkAndNothingIsReceived() throws Exception {
    write(primary, 1, 60, Optional.empty());
    try (SegmentServer server = SegmentServer.start(primary, new HttpServeConfig("127.0.0.1", 0,
        Optional.of(new BearerToken("right"))));
        CopyReceiver wrong = receive(URI.create("http://" + server.address()), Optional.of(new BearerToken("wrong")))) {
      LinkStatus s = await(wrong, "the refusal is reported", x -> x.state() == LinkState.RETRYING);
      assertThat(s.lastError().orElseThrow()).contains("segments.list: HTTP 401: the server refused the token"
          + " (journal.from.http.token)").doesNotContain("wrong").doesNotContain("right");
      assertThat(s.received()).isEmpty();
    }
    try (SegmentServer server = SegmentServer.start(primary, new HttpServeConfig("127.0.0.1", 0,
        Optional.of(new BearerToken("right"))));
        CopyReceiver none = receive(URI.create("http://" + server.address()), Optional.empty())) {
      LinkStatus s = await(none, "the refusal is reported", x -> x.state() == LinkState.RETRYING);
      assertThat(s.lastError().orElseThrow()).contains("HTTP 401: the server wants a token");
    }
  }

  @Test
  void anotherJournalsSegmentsAreRefusedNamingTheSegment(@TempDir Path other) throws Exception {
    write(primary, 1, 60, Optional.empty());
    try (SegmentServer server = SegmentServer.start(primary, new HttpServeConfig("127.0.0.1", 0, Optional.empty()))) {
      try (CopyReceiver r = receive(URI.create("http://" + server.address()), Optional.empty())) {
        await(r, "segment 1 is in the copy", s -> holds(s, 1));
      }
    }
    write(other, 1, 150, Optional.empty());
    try (SegmentServer server = SegmentServer.start(other, new HttpServeConfig("127.0.0.1", 0, Optional.empty()));
        CopyReceiver r = receive(URI.create("http://" + server.address()), Optional.empty())) {
      LinkStatus s = await(r, "the refusal is reported", x -> x.state() == LinkState.REFUSED);
      assertThat(s.lastError().orElseThrow()).as("the link's prefix names the journal, the error does not again")
          .startsWith("refused segment 1 at offset ");
      assertThat(s.lastError().orElseThrow()).contains("the segment belongs to journal "
          + JournalInspector.journalId(other) + ", this is a copy of journal " + JournalInspector.journalId(primary));
    }
  }

  @Test
  void anUnreachableServerIsRetriedAndShown() throws Exception {
    int port;
    try (var socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (CopyReceiver r = receive(URI.create("http://127.0.0.1:" + port + "/"), Optional.empty())) {
      LinkStatus s = await(r, "the failure is reported", x -> x.state() == LinkState.RETRYING);
      assertThat(s.lastError().orElseThrow()).startsWith("http://127.0.0.1:" + port + "/segments.list: cannot connect ("
          + "connection refused: nothing listens there, or the serving node is down)");
      assertThat(s.waitingFor()).contains(1L);
    }
  }
}
