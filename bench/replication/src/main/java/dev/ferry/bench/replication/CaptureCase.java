package dev.ferry.bench.replication;

import dev.ferry.capture.postgres.PostgresSetup;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.testkit.JavaProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Case 6: capture only, Ferry (slot → journal, fsynced) against the Debezium embedded engine
 * (slot → no-op consumer), each in a fresh JVM with the same heap. One backlog serves every turn:
 * each turn has its own slot, all created before the backlog. Not thread-safe.
 */
final class CaptureCase {
  private static final Pattern SECONDS = Pattern.compile("RESULT .*seconds=([0-9.]+)");
  private static final Pattern EVENTS = Pattern.compile("RESULT events=([0-9]+)");

  private final Env env;
  private final Report report;
  private final Env.Log log;

  CaptureCase(Env env, Report report, Env.Log log) {
    this.env = env;
    this.report = report;
    this.log = log;
  }

  void run(int pairs, long backlog, Path debeziumJar) throws Exception {
    String name = "6 capture only";
    List<PostgresSourceConfig> ferrySlots = new ArrayList<>();
    for (int i = 1; i <= pairs; i++) {
      PostgresSourceConfig c = PostgresSourceConfig.of("cap" + i, env.primaryUrl());
      PostgresSetup.setup(c);
      ferrySlots.add(c);
      Env.exec(env.primaryUrl(), "SELECT pg_create_logical_replication_slot('dbz_" + i + "', 'pgoutput')");
    }
    log.line("case 6: backlog of %d transactions for %d Ferry and %d Debezium slots...", backlog, pairs, pairs);
    env.pgbenchTransactions(backlog);
    env.mark();
    long events = 2 * backlog + 1; // an account update and a history insert per transaction, and the marker
    List<Double> ferryRate = new ArrayList<>();
    List<Double> dbzRate = new ArrayList<>();
    try {
      for (int i = 1; i <= pairs; i++) {
        double f = ferry(ferrySlots.get(i - 1), backlog + 1);
        ferryRate.add(Double.isNaN(f) ? f : events / f);
        double d = debeziumJar == null ? Double.NaN : debezium("dbz_" + i, debeziumJar, events);
        dbzRate.add(Double.isNaN(d) ? d : events / d);
        log.line("case 6, pair %d: Ferry %.2f s, Debezium %.2f s for %d change events", i, f, d, events);
      }
    } finally {
      for (int i = 1; i <= pairs; i++) {
        Env.exec(env.primaryUrl(), "SELECT pg_drop_replication_slot('" + ferrySlots.get(i - 1).slotName() + "')",
            "SELECT pg_drop_replication_slot('dbz_" + i + "')");
      }
    }
    report.compare(name, "change events/s, slot → durable journal (Ferry) / no-op consumer (Debezium 3.6.1)",
        "%.0f", ferryRate, dbzRate, 2.0, true);
    if (debeziumJar == null) {
      report.note("case 6: the Debezium jar was not given (--debezium-jar), so Debezium was not run.");
    }
  }

  /** Seconds from go to the backlog durable in a fresh journal, or NaN. */
  private double ferry(PostgresSourceConfig slot, long transactions) throws Exception {
    Path journal = env.work.resolve("journal-" + slot.name());
    Path go = env.work.resolve("go-" + slot.name());
    try (JavaProcess p = JavaProcess.start(FerryMain.class, List.of("-Xmx512m"), "capture", slot.name(),
        env.primaryUrl(), journal.toString(), go.toString(), String.valueOf(transactions))) {
      Thread.sleep(500);
      Files.createFile(go);
      int code = p.awaitExit(Duration.ofMinutes(10));
      String out = p.output();
      Matcher m = SECONDS.matcher(out);
      Matcher captured = Pattern.compile("captured=([0-9]+)").matcher(out);
      if (code != 0 || !m.find()) {
        report.failed("6 capture only", "Ferry capture exited " + code + ": " + tail(out));
        return Double.NaN;
      }
      if (captured.find() && Long.parseLong(captured.group(1)) < transactions) {
        report.failed("6 capture only", "Ferry captured " + captured.group(1) + " transactions, expected at least "
            + transactions);
      }
      return Double.parseDouble(m.group(1));
    } finally {
      dev.ferry.testkit.TempFiles.deleteTree(journal);
    }
  }

  /** Seconds from go to the marker event in Debezium's consumer, or NaN. */
  private double debezium(String slot, Path jar, long events) throws Exception {
    Path go = env.work.resolve("go-" + slot);
    Path out = env.work.resolve(slot + ".log");
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-jar", jar.toString(), "127.0.0.1", String.valueOf(env.primary.port()), Env.DB, slot, Env.PUBLICATION,
        "bench_marker", go.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      Thread.sleep(500);
      Files.createFile(go);
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        report.failed("6 capture only", "Debezium still running after 10 minutes");
        return Double.NaN;
      }
      String text = Files.readString(out);
      Matcher m = SECONDS.matcher(text);
      if (p.exitValue() != 0 || !m.find()) {
        report.failed("6 capture only", "Debezium exited " + p.exitValue() + ": " + tail(text));
        return Double.NaN;
      }
      Matcher e = EVENTS.matcher(text);
      if (e.find() && Long.parseLong(e.group(1)) < events) {
        report.failed("6 capture only", "Debezium delivered " + e.group(1) + " events, expected " + events);
      }
      return Double.parseDouble(m.group(1));
    } finally {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  private static String tail(String out) {
    List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
  }
}
