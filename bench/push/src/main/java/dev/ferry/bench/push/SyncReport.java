package dev.ferry.bench.push;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Markdown of the synchronous case: TPS per mode, ratios Ferry/PostgreSQL per round. Stateless. */
final class SyncReport {
  private SyncReport() {
  }

  static String section(PushBench.Settings s, Map<String, List<Double>> tps, Map<String, List<Double>> latency,
      List<String> notes, String digests,
      String loadBefore, String loadAfter) {
    StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "`pgbench -n -N -M prepared -c %d -j 2 -T %d`"
        + " (scale %d) per turn, %d round(s), turns in the order %s, reversed every other round; load average"
        + " (1, 5, 15 min) %s at the start of the case, %s at its end. End state: %s.%n%n", s.clients(),
        s.tpsFor().toSeconds(), s.scale(), s.rounds(), String.join(", ", SyncCase.MODES), loadBefore, loadAfter,
        digests));
    md.append("| replication | primary TPS per round | mean | ÷ no replication | pgbench latency average, ms |\n"
        + "|---|---|---:|---:|---:|\n");
    double none = mean(tps.get("none"));
    for (var e : tps.entrySet()) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.2f | %.1f |%n", label(e.getKey()),
          String.join(", ", e.getValue().stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList()),
          mean(e.getValue()), mean(e.getValue()) / none, mean(latency.get(e.getKey()))));
    }
    md.append('\n');
    ratio(md, tps, "ferry-receive", "pg-on");
    ratio(md, tps, "ferry-apply", "pg-remote_apply");
    ratio(md, tps, "ferry-apply", "pg-on");
    notes.forEach(n -> md.append("- ").append(n).append('\n'));
    return md.toString();
  }

  /** Ferry ÷ PostgreSQL per round (same round, back to back), and against the target ≥ 1.0. */
  private static void ratio(StringBuilder md, Map<String, List<Double>> tps, String ferry, String pg) {
    List<Double> f = tps.get(ferry);
    List<Double> p = tps.get(pg);
    StringBuilder rounds = new StringBuilder();
    double min = Double.MAX_VALUE;
    for (int i = 0; i < f.size(); i++) {
      double r = f.get(i) / p.get(i);
      min = Math.min(min, r);
      rounds.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", r));
    }
    double mean = mean(f) / mean(p);
    md.append(String.format(Locale.ROOT, "- %s ÷ %s: **%.2f×** (per round: %s); target ≥ 1.0×: %s%n", label(ferry),
        label(pg), mean, rounds, min >= 1.0 ? "met in every round" : mean >= 1.0 ? "met on the mean only"
            : "**not met**"));
  }

  private static String label(String mode) {
    return switch (mode) {
      case "none" -> "none (no subscription, no Ferry running)";
      case "pg-on" -> "PostgreSQL sync logical subscription, `synchronous_commit = on`";
      case "pg-remote_apply" -> "PostgreSQL sync logical subscription, `synchronous_commit = remote_apply`";
      case "ferry-receive" -> "Ferry sync push, `sync: receive`";
      case "ferry-apply" -> "Ferry sync push, `sync: apply`";
      default -> mode;
    };
  }

  private static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }
}
