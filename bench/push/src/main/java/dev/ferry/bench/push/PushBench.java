package dev.ferry.bench.push;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Issue 14's push benchmarks, side by side in one run on two throwaway PostgreSQL clusters of the
 * test kit (source, targets), Ferry as {@code bin/ferry run} processes: end-to-end lag through TCP
 * push against a replica reading the primary's own journal ({@link LagCase}), and primary TPS with
 * one synchronous replica, Ferry's against PostgreSQL's logical subscription ({@link SyncCase}).
 * Prints a Markdown section (also written to {@code --out}).
 */
public final class PushBench {
  /**
   * @param lagRate single-row commits per second in the lag case
   * @param tpsFor pgbench duration of a TPS turn
   */
  record Settings(boolean quick, List<String> cases, int lagRate, Duration lagWarmup, Duration lagFor, int rounds,
      Duration tpsFor, int clients, int scale, Path out) {
    private static final String USAGE = "usage: bench/push/run [--quick] [--cases lag,sync] [--rounds N] [--out FILE]";

    static Settings parse(String[] args) {
      boolean quick = List.of(args).contains("--quick");
      List<String> cases = List.of("lag", "sync");
      int rounds = quick ? 1 : 2;
      Path out = Path.of("push-bench.md");
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--quick" -> { }
          case "--cases" -> cases = List.of(value(args, ++i).split(","));
          case "--rounds" -> rounds = Integer.parseInt(value(args, ++i));
          case "--out" -> out = Path.of(value(args, ++i));
          default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; " + USAGE);
        }
      }
      for (String c : cases) {
        if (!c.equals("lag") && !c.equals("sync")) {
          throw new IllegalArgumentException("unknown case " + c + " in --cases (lag, sync); " + USAGE);
        }
      }
      return new Settings(quick, cases, 300, Duration.ofSeconds(quick ? 2 : 5), Duration.ofSeconds(quick ? 10 : 60),
          rounds, Duration.ofSeconds(quick ? 5 : 20), 16, 1, out);
    }

    private static String value(String[] args, int i) {
      if (i >= args.length) {
        throw new IllegalArgumentException(args[i - 1] + " needs a value; " + USAGE);
      }
      return args[i];
    }
  }

  private PushBench() {
  }

  public static void main(String[] args) throws Exception {
    Settings s;
    try {
      s = Settings.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String loadBefore = Env.loadAverage();
    StringBuilder md = new StringBuilder();
    try (Env env = Env.start(); Ferry ferry = new Ferry("256m")) {
      if (s.cases().contains("lag")) {
        md.append("#### Lag through TCP push (case lag)\n\n").append(new LagCase(env, ferry, s).run()).append('\n');
      }
      if (s.cases().contains("sync")) {
        md.append("#### Primary TPS with one synchronous replica (case sync)\n\n")
            .append(new SyncCase(env, ferry, s).run()).append('\n');
      }
    }
    String header = String.format("Run of %s to %s (UTC), `bench/push/run%s`; %d CPUs, Java %s; load average"
        + " (1, 5, 15 min) %s at the start, %s at the end.%n%n", start, Instant.now().truncatedTo(ChronoUnit.SECONDS),
        args.length == 0 ? "" : " " + String.join(" ", args), Runtime.getRuntime().availableProcessors(),
        Runtime.version(), loadBefore, Env.loadAverage());
    String section = header + md;
    System.out.println(section);
    Files.writeString(s.out(), section);
    System.exit(0);
  }
}
