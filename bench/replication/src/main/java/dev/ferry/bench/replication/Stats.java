package dev.ferry.bench.replication;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Median, minimum, maximum and percentiles of small samples, and how the tables print them. */
final class Stats {
  private Stats() {}

  static double median(List<Double> xs) {
    return percentile(xs, 50);
  }

  /** Nearest-rank percentile; NaN for an empty sample. */
  static double percentile(List<Double> xs, double p) {
    if (xs.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    if (p == 50 && s.size() % 2 == 0) {
      return (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }
    int rank = (int) Math.ceil(p / 100.0 * s.size());
    return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
  }

  static double min(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  static double max(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /** {@code a[i] / b[i]} for each pair where both exist. */
  static List<Double> ratios(List<Double> a, List<Double> b) {
    List<Double> r = new ArrayList<>();
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      if (!a.get(i).isNaN() && !b.get(i).isNaN() && b.get(i) != 0) {
        r.add(a.get(i) / b.get(i));
      }
    }
    return r;
  }

  /** {@code median (min–max)}, or a dash for an empty sample. */
  static String cell(List<Double> xs, String format) {
    List<Double> ok = xs.stream().filter(x -> !x.isNaN()).toList();
    if (ok.isEmpty()) {
      return "–";
    }
    if (ok.size() == 1) {
      return fmt(format, ok.getFirst());
    }
    return fmt(format, median(ok)) + " (" + fmt(format, min(ok)) + "–" + fmt(format, max(ok)) + ")";
  }

  static String fmt(String format, double x) {
    return String.format(Locale.ROOT, format, x);
  }
}
