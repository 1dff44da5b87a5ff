package dev.ferry.bench.mariadb;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Markdown section of a run: settings, the three measures, ratios and targets. Stateless. */
final class Report {
  private Report() {
  }

  static String section(MariaDbBench.Settings s, List<double[]> catchUp, Map<String, long[]> lag,
      Map<String, List<Double>> tps, String digests, double loadBefore, double loadAfter) {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Run: %d accounts, %d clients; %d s of warm-up; %d round(s); backlog %d transactions"
        + " (each: two account updates and a history insert); lag under %d tx/s for %d s, a probe every 50 ms;"
        + " TPS %d s per turn. Native replica: `slave_parallel_mode=optimistic`, `slave_parallel_threads=%d`;"
        + " Ferry: `FerryNode` in the benchmark's JVM, `apply.workers: %s`, commit order kept. Load average"
        + " %.1f at the start, %.1f at the end (2 cores, shared with other jobs). End state: %s.%n%n",
        s.accounts(), s.clients(), s.warmup().toSeconds(), s.rounds(), s.backlog(), s.lagRate(), s.lagFor().toSeconds(),
        s.tpsFor().toSeconds(), s.workers(), s.ferryWorkers() == 0 ? "auto" : String.valueOf(s.ferryWorkers()), loadBefore, loadAfter, digests));
    md.append("| measure | native | Ferry | Ferry ÷ native | target | met |\n|---|---:|---:|---:|---|---|\n");
    double nativeCatchUp = catchUp.stream().mapToDouble(r -> r[0]).average().orElse(Double.NaN);
    double ferryCatchUp = catchUp.stream().mapToDouble(r -> r[1]).average().orElse(Double.NaN);
    double ratio = ferryCatchUp / nativeCatchUp;
    md.append(row("catch-up of the backlog (tx/s, mean of rounds)", nativeCatchUp, ferryCatchUp, ratio,
        "≥ 1.0×", ratio >= 1.0));
    for (double p : new double[] {0.5, 0.99}) {
      double n = Lag.percentileMs(lag.get("native"), p);
      double f = Lag.percentileMs(lag.get("ferry"), p);
      md.append(row(String.format(Locale.ROOT, "lag p%d (ms, %d / %d probes)", Math.round(p * 100),
          lag.get("native").length, lag.get("ferry").length), n, f, f / n, p == 0.99 ? "≤ 2.0×" : "",
          p == 0.99 ? f / n <= 2.0 : null));
    }
    double none = mean(tps.get("none"));
    for (String mode : List.of("native", "ferry")) {
      double with = mean(tps.get(mode));
      md.append(String.format(Locale.ROOT, "| primary TPS with %s (no replica: %.0f) | %s | %s | overhead %.1f %% | | |%n",
          mode.equals("ferry") ? "Ferry" : "the native replica", none, mode.equals("native") ? fmt(with) : "",
          mode.equals("ferry") ? fmt(with) : "", 100 * (1 - with / none)));
    }
    return md.toString();
  }

  private static String row(String measure, double n, double f, double ratio, String target, Boolean met) {
    return String.format(Locale.ROOT, "| %s | %s | %s | %.2f× | %s | %s |%n", measure, fmt(n), fmt(f), ratio, target,
        met == null ? "" : met ? "yes" : "**no**");
  }

  private static String fmt(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
  }

  private static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }
}
