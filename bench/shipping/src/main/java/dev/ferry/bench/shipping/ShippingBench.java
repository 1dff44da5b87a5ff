package dev.ferry.bench.shipping;

import dev.ferry.journal.Journal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Shipping throughput of a backlog of sealed segments (issue 14): Ferry's TCP push and HTTP
 * transports against a raw socket copy of the same files' bytes, side by side in one run. Each
 * round runs four turns, each into an empty copy directory: raw, push, raw, HTTP (even rounds in
 * the mirrored order push, raw, HTTP, raw), and each transport's turn is paired with the raw turn
 * next to it, so load on a shared machine hits both alike. A first round warms the JIT up and is
 * not counted. After every turn the copy's sealed
 * segments are compared byte for byte with the primary's ({@code Files.mismatch}, not timed); a
 * difference stops the run. Prints a Markdown table: MB/s (median, min–max), the paired ratio to
 * the raw copy (median, min–max) against the target 0.8×, and the process CPU per MB.
 *
 * <p>Usage: {@code ShippingBench [--quick] [--mib N] [--segment-mib N] [--rounds N] [--dir DIR]
 * [--paths push,http] [--threads]}.
 * Defaults: 320 MiB of backlog in 64 MiB segments (the journal's default size), 5 rounds;
 * {@code --quick}: 48 MiB in 8 MiB segments, 2 rounds. {@code --dir}: where the primary's journal
 * and the copies go (a journal already there is reused as the backlog; default a temporary
 * directory, deleted at the end). {@code --paths}: only these transports (each still paired with
 * its raw turns), e.g. to profile one. {@code --threads}: each turn's CPU by thread, on stderr.
 */
public final class ShippingBench {
  static final double TARGET = 0.8;

  private record Options(long mib, long segmentMib, int rounds, Path dir, boolean keep, List<String> paths) {}

  public static void main(String[] args) throws Exception {
    Options o = options(List.of(args));
    Meter.perThread = List.of(args).contains("--threads");
    Backlog backlog = Backlog.prepare(o.dir().resolve("primary"), o.mib() << 20, o.segmentMib() << 20);
    Path copy = o.dir().resolve("copy");
    System.out.printf(Locale.ROOT, "# shipping benchmark, %s: backlog %d sealed segments, %.1f MB (%s), %d rounds,"
        + " %s, %d cores%n%n", Instant.now().truncatedTo(ChronoUnit.SECONDS), backlog.sealed().size(),
        backlog.bytes() / 1e6, backlog.dir(), o.rounds(), Runtime.version(), Runtime.getRuntime().availableProcessors());
    double loadBefore = Meter.loadAverage();
    Results r = new Results();
    try (Journal primary = Journal.open(backlog.config())) {
      // Round 0 warms the JIT up (a first Ferry turn ran at half speed) and is not counted.
      for (int round = 0; round <= o.rounds(); round++) {
        Results into = round == 0 ? new Results() : r;
        System.err.println(round == 0 ? "warm-up round (not counted)" : "round " + round);
        boolean mirrored = round % 2 == 0;
        if (o.paths().contains("push")) {
          pair(into.push, into.rawForPush, mirrored, () -> FerryShipping.push(backlog, primary, copy), backlog, copy);
        }
        if (o.paths().contains("http")) {
          pair(into.http, into.rawForHttp, mirrored, () -> FerryShipping.http(backlog, copy), backlog, copy);
        }
      }
    }
    r.print(loadBefore, Meter.loadAverage());
    if (!o.keep()) {
      deleteTree(o.dir());
    }
  }

  private static Options options(List<String> args) throws IOException {
    boolean quick = args.contains("--quick");
    int dirAt = args.indexOf("--dir");
    Path dir = dirAt >= 0 ? Path.of(args.get(dirAt + 1)) : Files.createTempDirectory("ferry-shipping-bench-");
    int pathsAt = args.indexOf("--paths");
    List<String> paths = pathsAt >= 0 ? List.of(args.get(pathsAt + 1).split(",")) : List.of("push", "http");
    return new Options(number(args, "--mib", quick ? 48 : 320), number(args, "--segment-mib", quick ? 8 : 64),
        (int) number(args, "--rounds", quick ? 2 : 5), dir, dirAt >= 0, paths);
  }

  private static long number(List<String> args, String flag, long otherwise) {
    int at = args.indexOf(flag);
    return at >= 0 ? Long.parseLong(args.get(at + 1)) : otherwise;
  }

  @FunctionalInterface
  private interface Shipping {
    Meter.Turn ship() throws Exception;
  }

  /** One Ferry turn and its raw turn, in either order, each into an emptied copy directory. */
  private static void pair(List<Meter.Turn> ferry, List<Meter.Turn> raw, boolean ferryFirst, Shipping transport,
      Backlog backlog, Path copy) throws Exception {
    Shipping baseline = () -> {
      Files.createDirectories(copy);
      Meter meter = Meter.start();
      RawCopy.run(backlog.sealed(), copy);
      return meter.stop(backlog.bytes());
    };
    for (Shipping s : ferryFirst ? List.of(transport, baseline) : List.of(baseline, transport)) {
      deleteTree(copy);
      Meter.Turn t = s.ship();
      verify(backlog, copy);
      (s == baseline ? raw : ferry).add(t);
      System.err.printf(Locale.ROOT, "%s %.1f MB/s in %.2f s, CPU %.2f ms/MB%n", s == baseline ? "raw " : "ferry",
          t.mbPerSecond(), t.seconds(), t.cpuMsPerMb());
    }
    deleteTree(copy);
  }

  /** Every sealed segment of the primary is in the copy under its name with the same bytes. */
  static void verify(Backlog backlog, Path copy) throws IOException {
    for (Path p : backlog.sealed()) {
      Path c = copy.resolve(p.getFileName());
      long at = Files.exists(c) ? Files.mismatch(p, c) : 0;
      if (at >= 0) {
        throw new IllegalStateException(c + " differs from " + p + " at byte " + at);
      }
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The turns of a run, and its table. */
  private static final class Results {
    final List<Meter.Turn> push = new ArrayList<>();
    final List<Meter.Turn> rawForPush = new ArrayList<>();
    final List<Meter.Turn> http = new ArrayList<>();
    final List<Meter.Turn> rawForHttp = new ArrayList<>();

    void print(double loadBefore, double loadAfter) {
      System.out.println("| path | MB/s, median (min–max) | CPU ms/MB | paired ratio to the raw copy, median (min–max)"
          + " | target | met |");
      System.out.println("|---|---|---:|---|---|---|");
      List<Meter.Turn> raw = new ArrayList<>(rawForPush);
      raw.addAll(rawForHttp);
      row("raw socket copy", raw, List.of());
      if (!push.isEmpty()) {
        row("TCP push", push, rawForPush);
      }
      if (!http.isEmpty()) {
        row("HTTP", http, rawForHttp);
      }
      System.out.printf(Locale.ROOT, "%nload average %.1f before, %.1f after%n", loadBefore, loadAfter);
    }

    private static void row(String name, List<Meter.Turn> turns, List<Meter.Turn> raw) {
      List<Double> mb = turns.stream().map(Meter.Turn::mbPerSecond).toList();
      String ratio = "–";
      String met = "–";
      String target = "–";
      if (!raw.isEmpty()) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < turns.size(); i++) {
          ratios.add(turns.get(i).mbPerSecond() / raw.get(i).mbPerSecond());
        }
        ratio = String.format(Locale.ROOT, "%.2f (%.2f–%.2f)×", median(ratios), min(ratios), max(ratios));
        target = String.format(Locale.ROOT, "≥ %.2f×", TARGET);
        met = median(ratios) >= TARGET ? "yes" : "**no**";
      }
      System.out.printf(Locale.ROOT, "| %s | %.0f (%.0f–%.0f) | %.2f | %s | %s | %s |%n", name, median(mb), min(mb),
          max(mb), median(turns.stream().map(Meter.Turn::cpuMsPerMb).toList()), ratio, target, met);
    }
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double min(List<Double> values) {
    return values.stream().mapToDouble(d -> d).min().orElse(0);
  }

  private static double max(List<Double> values) {
    return values.stream().mapToDouble(d -> d).max().orElse(0);
  }
}
