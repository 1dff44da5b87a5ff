package dev.ferry.bench.replication;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Markdown the harness prints: one row per figure with Ferry's and the peer's median (min–max)
 * over the turns, the paired ratios, the target and whether it is met; then settings and notes.
 * Not thread-safe.
 */
final class Report {
  record Row(String caseName, String figure, String ferry, String peer, String ratio, String target, String met) {}

  private final List<Row> rows = new ArrayList<>();
  private final Map<String, List<String>> incorrect = new LinkedHashMap<>();
  private final Map<String, Integer> checks = new LinkedHashMap<>();
  private final List<String> limits = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  void row(String caseName, String figure, String ferry, String peer, String ratio, String target, String met) {
    rows.add(new Row(caseName, figure, ferry, peer, ratio, target, met));
  }

  /**
   * A figure measured for both sides, with the target as a bound on the median paired ratio
   * Ferry/peer ({@code atLeast}: ratio ≥ bound, else ratio ≤ bound).
   */
  void compare(String caseName, String figure, String format, List<Double> ferry, List<Double> peer,
      double bound, boolean atLeast) {
    List<Double> r = Stats.ratios(ferry, peer);
    String target = (atLeast ? "≥ " : "≤ ") + Stats.fmt("%.2f", bound) + "×";
    String met = "–";
    if (!r.isEmpty() && bound > 0) {
      double m = Stats.median(r);
      met = (atLeast ? m >= bound : m <= bound) ? "yes" : "**no**";
    } else if (bound <= 0) {
      target = "–";
    }
    rows.add(new Row(caseName, figure, Stats.cell(ferry, format), Stats.cell(peer, format),
        r.isEmpty() ? "–" : Stats.cell(r, "%.2f") + "×", target, met));
  }

  /** Records the digest check of one turn: {@code differences} empty means the replica equals the primary. */
  void checked(String caseName, String peer, List<String> differences) {
    checks.merge(caseName, 1, Integer::sum);
    if (!differences.isEmpty()) {
      incorrect.computeIfAbsent(caseName, k -> new ArrayList<>()).add(peer + ": " + String.join("; ", differences));
    }
  }

  void failed(String caseName, String what) {
    incorrect.computeIfAbsent(caseName, k -> new ArrayList<>()).add(what);
  }

  void limit(String line) {
    limits.add(line);
  }

  void note(String line) {
    notes.add(line);
  }

  String markdown(String header) {
    StringBuilder b = new StringBuilder(header);
    b.append("| case | figure | Ferry | peer | paired ratio Ferry/peer | target | met |\n");
    b.append("|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      b.append("| ").append(String.join(" | ", r.caseName(), r.figure(), r.ferry(), r.peer(), r.ratio(), r.target(),
          r.met())).append(" |\n");
    }
    b.append("\nCells are median (min–max) over the turns; ratios are taken per pair (A B A B …), then summarised.\n");
    b.append("\n**Correctness** (digests of every replicated table, replica vs primary, after every turn):\n\n");
    for (Map.Entry<String, Integer> e : checks.entrySet()) {
      List<String> bad = incorrect.getOrDefault(e.getKey(), List.of());
      b.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append(" checks, ")
          .append(bad.isEmpty() ? "all equal" : "**FAILED**: " + String.join("; ", bad)).append('\n');
    }
    for (Map.Entry<String, List<String>> e : incorrect.entrySet()) {
      if (!checks.containsKey(e.getKey())) {
        b.append("- ").append(e.getKey()).append(": **FAILED**: ").append(String.join("; ", e.getValue())).append('\n');
      }
    }
    if (!limits.isEmpty()) {
      b.append("\n**Machine limits**\n\n");
      limits.forEach(l -> b.append("- ").append(l).append('\n'));
    }
    if (!notes.isEmpty()) {
      b.append("\n**Notes**\n\n");
      notes.forEach(l -> b.append("- ").append(l).append('\n'));
    }
    return b.toString();
  }
}
