package dev.ferry.bench.replication;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;

/**
 * Issue 8's benchmark: Ferry side by side with PostgreSQL 15's native logical replication (cases
 * 1–4, 7) and with Debezium's embedded engine (case 6), on two throwaway clusters, alternating
 * A B A B. Prints a Markdown section (and writes it to {@code --out}).
 *
 * <p>{@code ReplicationBench [--quick] [--out FILE] [--debezium-jar JAR] [--jfr DIR] [--cases 1,2,3,4,5,6,8] [--big-heap 256m] [--streaming on|off]}
 *
 * <p>{@code --streaming on} runs Ferry with {@code source.streaming: on} (the property
 * {@value FerryMain#STREAMING} of Ferry's JVM): case 4's big transaction then reaches the journal
 * while it runs (PostgreSQL's default {@code logical_decoding_work_mem}, 64 MB, is far below it).
 */
public final class ReplicationBench {
  private ReplicationBench() {}

  /** The command line: {@code [--quick] [--out FILE] [--debezium-jar JAR] [--jfr DIR] [--cases …] [--big-heap …]}. */
  private record Options(boolean quick, Path out, Path debeziumJar, Path jfr, List<String> cases, String bigHeap) {
    static Options parse(String[] args) {
      boolean quick = false;
      Path out = null;
      Path debeziumJar = null;
      Path jfr = null;
      String cases = "1,2,3,4,5,6";
      String bigHeap = "256m";
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--quick" -> quick = true;
          case "--out" -> out = Path.of(args[++i]);
          case "--debezium-jar" -> debeziumJar = Path.of(args[++i]);
          case "--jfr" -> jfr = Path.of(args[++i]);
          case "--cases" -> cases = args[++i];
          case "--big-heap" -> bigHeap = args[++i];
          case "--streaming" -> System.setProperty(FerryMain.STREAMING, onOff(args[++i]));
          default -> {
            System.err.println("unknown argument " + args[i]
                + "; usage: [--quick] [--out FILE] [--debezium-jar JAR] [--jfr DIR] [--cases 1,2,3,4,5,6,8] [--big-heap 256m] [--streaming on|off]");
            System.exit(2);
          }
        }
      }
      return new Options(quick, out, debeziumJar, jfr, List.of(cases.split(",")), bigHeap);
    }

    private static String onOff(String value) {
      if (!value.equals("on") && !value.equals("off")) {
        System.err.println("--streaming takes on or off, got " + value);
        System.exit(2);
      }
      return value;
    }
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    int scale = o.quick() ? 1 : 10;
    Cases.Settings settings = o.quick()
        ? new Cases.Settings(2, 2_000, 2, 3, o.bigHeap(), 30_000, o.jfr())
        : new Cases.Settings(3, 80_000, 10, 30, o.bigHeap(), 0, o.jfr());
    if (o.jfr() != null) {
      Files.createDirectories(o.jfr());
    }
    long started = System.nanoTime();
    Env.Log log = (format, a) -> System.err.printf(Locale.ROOT, "[bench %5.0f s] " + format + "%n",
        prepend((System.nanoTime() - started) / 1e9, a));
    Report report = new Report();
    try (Env env = Env.start(scale, log)) {
      limits(env, report, log, o.quick());
      List<String> initial = env.differences(Env.NATIVE_DB);
      if (!initial.isEmpty()) {
        throw new IllegalStateException("the replica's initial pgbench data differs from the primary's: " + initial);
      }
      runCases(env, settings, report, log, o);
    }
    double minutes = (System.nanoTime() - started) / 60e9;
    notes(report, o.quick(), settings, scale, minutes);
    String md = report.markdown(header(o.quick(), settings, scale, args)) + profiles(o.jfr());
    System.out.println(md);
    if (o.out() != null) {
      Files.writeString(o.out(), md);
    }
    System.exit(0);
  }

  private static void runCases(Env env, Cases.Settings settings, Report report, Env.Log log, Options o)
      throws Exception {
    List<String> which = o.cases();
    Cases c = new Cases(env, settings, report, log);
    try {
      if (which.contains("1")) {
        c.catchUpApply();
      }
      if (which.contains("2")) {
        c.primaryOverhead();
      }
      if (which.contains("3")) {
        c.lag();
      }
      if (which.contains("8")) {
        c.metricsOverhead();
      }
      if (which.contains("4")) {
        c.bigTransaction();
      }
      if (which.contains("1") || which.contains("4")) {
        c.memory();
      }
    } finally {
      c.stopAll();
    }
    if (which.contains("5")) {
      new SeedCase(env, report, log).run(settings.pairs());
    }
    if (which.contains("6")) {
      new CaptureCase(env, report, log).run(settings.pairs(), settings.backlog(), o.debeziumJar());
    }
  }

  /** The JFR summaries of Ferry's last turns, when {@code --jfr} was given. */
  private static String profiles(Path jfr) throws Exception {
    StringBuilder b = new StringBuilder();
    if (jfr == null) {
      return "";
    }
    for (String f : List.of("case1-catch-up.jfr", "case4-big-transaction.jfr")) {
      if (Files.exists(jfr.resolve(f))) {
        b.append("\n**JFR profile of Ferry's last turn, ").append(f).append("**: ")
            .append(Profile.summary(jfr.resolve(f), 12));
      }
    }
    return b.toString();
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  private static String header(boolean quick, Cases.Settings s, int scale, String[] args) {
    return "### Run of " + LocalDate.now() + (quick ? " (quick: smoke check, small figures)" : "") + "\n\n"
        + "Command: `bench/run " + String.join(" ", args).replaceAll("--out \\S+ ?|--debezium-jar \\S+ ?|--jfr \\S+ ?", "")
            .trim() + "`; " + Runtime.getRuntime().availableProcessors() + " CPUs, Java "
        + System.getProperty("java.version") + ".\n\n"
        + "Settings: PostgreSQL 15, primary and replica clusters each `shared_buffers=256MB`, `fsync=on`, "
        + "`wal_level=logical`; pgbench scale " + scale + ", `pgbench -n -N -c4 -j2` (2 row changes per "
        + "transaction); " + s.pairs() + " pairs per case; backlog " + s.backlog() + " transactions (cases 1, 6); "
        + "load " + s.loadSeconds() + " s per turn (case 2), " + s.lagSeconds() + " s (case 3). "
        + "Native: `CREATE SUBSCRIPTION … WITH (copy_data = false)`, its default `synchronous_commit = off`. "
        + "Ferry: `FerryNode` (capture → journal → apply) in its own JVM (`-Xmx512m`, case 4 `-Xmx" + s.bigHeap()
        + "`), journal fsynced before the slot is confirmed, replica sessions `synchronous_commit = off` "
        + "(the native apply worker's durability), default grouping (1000 transactions / 8 MiB / 200 ms). "
        + "`pgbench_history` (no primary key) is published with `REPLICA IDENTITY FULL` for both.\n\n";
  }

  private static void notes(Report report, boolean quick, Cases.Settings s, int scale, double minutes) {
    report.note(String.format(Locale.ROOT, "Wall time of this run: %.1f minutes.", minutes));
    report.note("Each turn first lets the peer catch up on what the other peer's turn wrote (untimed), so both "
        + "start from a replica equal to the primary; each peer applies into its own replica database from its own "
        + "slot. JVM start-up is not timed (the Ferry process waits for a go file; the clock starts at the go).");
    report.note("Case 1: time from start (subscription ENABLE / Ferry go) to the marker row inserted after the "
        + "backlog being visible on the replica. Case 3: time from the heartbeat INSERT's commit returning to "
        + "the row being visible in the replica (polled every 0.2 ms). Case 4: from the UPDATE's commit returning "
        + "to the marker row after it being visible.");
    report.note("Case 2: both replicas run on the same machine as the primary, so the apply side's CPU counts "
        + "against the primary for both peers.");
    if (quick) {
      report.note("Quick run: scale " + scale + ", backlog " + s.backlog() + ", " + s.pairs() + " pairs, short loads — "
          + "a smoke check of the harness, not figures to compare with the targets (the full run uses 3 pairs).");
    }
  }

  private static double fsyncRate(Path file) throws java.io.IOException {
    try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer page = java.nio.ByteBuffer.allocate(8192);
      long end = System.nanoTime() + 1_000_000_000L;
      long start = System.nanoTime();
      int n = 0;
      while (System.nanoTime() < end) {
        page.clear();
        ch.write(page, 0);
        ch.force(false);
        n++;
      }
      return n / ((System.nanoTime() - start) / 1e9);
    }
  }

  /** The machine's physical limits: fsync rate and COPY rows/s into the replica. */
  private static void limits(Env env, Report report, Env.Log log, boolean quick) throws Exception {
    log.line("measuring the machine's limits...");
    Path file = env.work.resolve("fsync-test");
    if (quick) {
      report.limit(String.format(Locale.ROOT, "fsync rate (quick: 8 kB write + fdatasync in a loop for 1 s, "
          + "not pg_test_fsync): %.0f ops/s", fsyncRate(file)));
    } else {
      String out = Env.run(Duration.ofMinutes(2), List.of(Env.pgBin("pg_test_fsync").toString(), "-s", "1", "-f",
          file.toString()));
      Matcher m = Pattern.compile("fdatasync\\s+([0-9.,]+) ops/sec").matcher(out);
      report.limit("fsync rate (pg_test_fsync -s 1, one 8 kB write, fdatasync): "
          + (m.find() ? m.group(1) + " ops/s" : "not parsed:\n" + out));
    }
    int rows = env.scale * 100_000;
    StringBuilder data = new StringBuilder(rows * 16);
    for (int i = 1; i <= rows; i++) {
      data.append(i).append('\t').append((i - 1) / 100_000 + 1).append("\t0\t\n");
    }
    byte[] bytes = data.toString().getBytes(StandardCharsets.UTF_8);
    try (Connection c = DriverManager.getConnection(env.replica.jdbcUrl())) {
      c.createStatement().execute("CREATE TABLE copy_probe (aid int PRIMARY KEY, bid int, abalance int, "
          + "filler char(84))");
      long t0 = System.nanoTime();
      ((PGConnection) c).getCopyAPI().copyIn("COPY copy_probe FROM STDIN", new ByteArrayInputStream(bytes));
      double s = (System.nanoTime() - t0) / 1e9;
      c.createStatement().execute("DROP TABLE copy_probe");
      report.limit(String.format(Locale.ROOT, "COPY into the replica (a pgbench_accounts-shaped table with its "
          + "primary key, %d rows, one COPY): %.0f rows/s", rows, rows / s));
    }
  }
}
