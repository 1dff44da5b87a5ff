package dev.ferry.bench.push;

import dev.ferry.testkit.TableDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Primary TPS with one synchronous replica: pgbench {@code -N} on the source for a fixed time with
 * no replication, with PostgreSQL's logical subscription {@code pg_sub} listed in the source's
 * {@code synchronous_standby_names} (clients at {@code synchronous_commit} {@code on}, then
 * {@code remote_apply}), and with a Ferry primary node ({@code bin/ferry run}) pushing to a replica
 * node ({@code sync: receive}, then {@code sync: apply}) whose capture walsender is listed instead.
 * Turns alternate by round (order reversed every other round); only the turn's replication runs
 * during it, caught up before the clock starts.
 */
final class SyncCase {
  static final List<String> MODES = List.of("none", "pg-on", "pg-remote_apply", "ferry-receive", "ferry-apply");
  private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
  private static final Pattern LATENCY = Pattern.compile("latency average = ([0-9.]+) ms");
  private final Env env;
  private final Ferry ferry;
  private final PushBench.Settings s;
  private final Map<String, List<Double>> tps = new LinkedHashMap<>();
  private final Map<String, List<Double>> latency = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();
  private String pgUrl;
  private String ferryUrl;
  private Path dir;
  private int port;
  private String ferryApp;
  private long mark;

  SyncCase(Env env, Ferry ferry, PushBench.Settings s) {
    this.env = env;
    this.ferry = ferry;
    this.s = s;
    MODES.forEach(m -> {
      tps.put(m, new ArrayList<>());
      latency.put(m, new ArrayList<>());
    });
  }

  String run() throws Exception {
    String loadBefore = Env.loadAverage();
    prepare();
    for (int round = 0; round < s.rounds(); round++) {
      List<String> order = new ArrayList<>(MODES);
      if (round % 2 == 1) {
        java.util.Collections.reverse(order);
      }
      for (String mode : order) {
        double rate = turn(mode);
        tps.get(mode).add(rate);
        System.err.printf(Locale.ROOT, "round %d, %s: %.0f tps%n", round + 1, mode, rate);
      }
    }
    String digests = digests();
    return SyncReport.section(s, tps, latency, notes, digests, loadBefore, Env.loadAverage());
  }

  private void prepare() throws Exception {
    env.pgbench("", Duration.ofMinutes(5), "-i", "-q", "-s", String.valueOf(s.scale()));
    Env.exec(env.sourceUrl(), "ALTER TABLE pgbench_history REPLICA IDENTITY FULL",
        "CREATE TABLE mark (id bigint PRIMARY KEY)",
        "CREATE PUBLICATION pg_pub FOR TABLE pgbench_accounts, pgbench_branches, pgbench_tellers, pgbench_history, mark");
    pgUrl = env.target("pg_r");
    env.pgbenchSchemaOnTarget("pg_r");
    Env.exec(pgUrl, "CREATE TABLE mark (id bigint PRIMARY KEY)",
        "CREATE SUBSCRIPTION pg_sub CONNECTION '" + Env.libpq(env.source, Env.DB) + "' PUBLICATION pg_pub"
            + " WITH (copy_data = true, synchronous_commit = on)");
    Env.await("pg_sub's initial copy", Duration.ofMinutes(10), () -> "0".equals(Env.scalar(pgUrl,
        "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'")));
    Env.exec(pgUrl, "ALTER SUBSCRIPTION pg_sub DISABLE");
    ferryUrl = env.target("ferry_r");
    dir = Files.createDirectories(env.work.resolve("sync"));
    port = Yaml.freePort();
    Ferry.Node[] nodes = startFerry("receive"); // seeds ferry_r
    ferryApp = "ferry-sync@" + ferry.status(nodes[0].config()).path("journal").path("id").asString("").substring(0, 8);
    stopFerry(nodes);
  }

  /** One timed turn of pgbench with {@code mode}'s replication, caught up first; the TPS. */
  private double turn(String mode) throws Exception {
    Ferry.Node[] nodes = null;
    String app = null;
    if (mode.startsWith("pg-")) {
      Env.exec(pgUrl, "ALTER SUBSCRIPTION pg_sub ENABLE");
      awaitMark(pgUrl);
      app = "pg_sub";
    } else if (mode.startsWith("ferry-")) {
      nodes = startFerry(mode.substring("ferry-".length()));
      awaitMark(ferryUrl);
      app = ferryApp;
    }
    if (app != null) {
      synchronous(app);
    }
    if (nodes != null) {
      awaitIncluded(nodes[0]);
    }
    int logFrom = nodes == null ? 0 : nodes[0].logText().length();
    String options = mode.equals("pg-remote_apply") ? "-c synchronous_commit=remote_apply" : "";
    String out = env.pgbench(options, s.tpsFor().plusMinutes(5), "-n", "-N", "-M", "prepared", "-c",
        String.valueOf(s.clients()), "-j", "2", "-T", String.valueOf(s.tpsFor().toSeconds()));
    Matcher m = TPS.matcher(out);
    Matcher l = LATENCY.matcher(out);
    if (!m.find() || !l.find()) {
      throw new IllegalStateException("no TPS or latency in pgbench's output:\n" + out);
    }
    latency.get(mode).add(Double.parseDouble(l.group(1)));
    if (app != null) {
      Env.exec(env.sourceUrl(), "ALTER SYSTEM RESET synchronous_standby_names", "SELECT pg_reload_conf()");
    }
    if (mode.startsWith("pg-")) {
      Env.exec(pgUrl, "ALTER SUBSCRIPTION pg_sub DISABLE");
    } else if (nodes != null) {
      String log = nodes[0].logText().substring(logFrom);
      if (log.contains("synchronous replica node excluded")) {
        notes.add(mode + ": the replica node was excluded during a turn (commits stopped waiting for it): "
            + log.lines().filter(line -> line.contains("excluded")).findFirst().orElse(""));
      }
      stopFerry(nodes);
    }
    return Double.parseDouble(m.group(1));
  }

  /** Primary and replica node at {@code level}, both streaming (the replica seeded on the first start). */
  private Ferry.Node[] startFerry(String level) throws Exception {
    String tables = "public\\.(pgbench_.*|mark)";
    Path primaryConfig = Yaml.primary(dir.resolve("primary.yaml"), "sync", env.sourceUrl(), tables,
        dir.resolve("journal"), port, Optional.of(level), Map.of());
    Path replicaConfig = Yaml.replicaNode(dir.resolve("replica.yaml"), "sync", env.sourceUrl(), tables,
        dir.resolve("copy"), port, Map.of("ferry", ferryUrl));
    Ferry.Node primary = ferry.run(primaryConfig, dir.resolve("primary.log"));
    ferry.awaitSource(primary);
    if (ferryApp == null) {
      mark(); // the copy takes the journal's id from its first segment: the primary must have written something
    }
    Ferry.Node replica = ferry.run(replicaConfig, dir.resolve("replica.log"));
    ferry.awaitReplicas(replica);
    return new Ferry.Node[] {primary, replica};
  }

  private static void stopFerry(Ferry.Node[] nodes) throws InterruptedException {
    Ferry.stop(nodes[1]);
    Ferry.stop(nodes[0]);
  }

  /** Lists {@code app} in the source's synchronous_standby_names and waits until its walsender is sync. */
  private void synchronous(String app) throws Exception {
    Env.exec(env.sourceUrl(), "ALTER SYSTEM SET synchronous_standby_names = '\"" + app + "\"'",
        "SELECT pg_reload_conf()");
    Env.await(app + " synchronous", Duration.ofSeconds(60), () -> "sync".equals(Env.scalar(env.sourceUrl(),
        "SELECT sync_state FROM pg_stat_replication WHERE application_name = '" + app + "'")));
    mark(); // a commit that waited for it
  }

  /**
   * Commits a mark now and then until the push link streams without an error: a replica node that
   * was not there yet when the primary started was excluded, and is included once it caught up.
   */
  private void awaitIncluded(Ferry.Node primary) throws Exception {
    Env.await("the replica node included (push link streaming, no error); log:\n" + primary.logText(),
        Duration.ofSeconds(120), () -> {
          mark();
          tools.jackson.databind.JsonNode link = ferry.link(primary);
          return link.path("lastError").isNull() && link.path("state").asString("").equals("streaming");
        });
  }

  /** Both replicas caught up (asynchronously) with the source; whether each holds the source's rows. */
  private String digests() throws Exception {
    Env.exec(pgUrl, "ALTER SUBSCRIPTION pg_sub ENABLE");
    Ferry.Node[] nodes = startFerry("receive");
    try {
      awaitMark(pgUrl);
      awaitMark(ferryUrl);
      List<String> tables = List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers", "pgbench_history",
          "mark");
      Map<String, TableDigest> expected = digest(env.sourceUrl(), tables);
      return "PostgreSQL's subscriber " + (digest(pgUrl, tables).equals(expected) ? "equal" : "**DIFFERENT**")
          + ", Ferry's replica " + (digest(ferryUrl, tables).equals(expected) ? "equal" : "**DIFFERENT**")
          + " (row count and digest of every table, against the source)";
    } finally {
      Env.exec(pgUrl, "ALTER SUBSCRIPTION pg_sub DISABLE");
      stopFerry(nodes);
    }
  }

  private static Map<String, TableDigest> digest(String url, List<String> tables) throws Exception {
    try (Connection c = DriverManager.getConnection(url)) {
      return TableDigest.ofAll(c, tables);
    }
  }

  private long mark() throws Exception {
    Env.exec(env.sourceUrl(), "INSERT INTO mark VALUES (" + (++mark) + ")");
    return mark;
  }

  /** A new mark reaches {@code url}: the replication of the turn caught up. */
  private void awaitMark(String url) throws Exception {
    long id = mark();
    Env.await("mark " + id + " on " + url, Duration.ofMinutes(10),
        () -> Env.scalar(url, "SELECT 1 FROM mark WHERE id = " + id) != null);
  }
}
