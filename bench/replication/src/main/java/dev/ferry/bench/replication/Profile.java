package dev.ferry.bench.replication;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/** Summarises a JFR recording: where Ferry's CPU samples fall (top frames, first Ferry frame, threads). */
final class Profile {
  private Profile() {}

  static String summary(Path jfr, int top) throws IOException {
    if (!Files.exists(jfr)) {
      return "(no recording at " + jfr + ")\n";
    }
    Map<String, Integer> leaf = new HashMap<>();
    Map<String, Integer> ferry = new HashMap<>();
    Map<String, Integer> threads = new HashMap<>();
    Map<String, double[]> cpu = new HashMap<>();
    int samples = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
      if (e.getEventType().getName().equals("jdk.ThreadCPULoad") && e.getThread() != null) {
        double[] acc = cpu.computeIfAbsent(String.valueOf(e.getThread().getJavaName()), k -> new double[2]);
        acc[0] += e.getFloat("user") + e.getFloat("system");
        acc[1]++;
        continue;
      }
      if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
        continue;
      }
      samples++;
      List<RecordedFrame> frames = e.getStackTrace().getFrames();
      if (!frames.isEmpty()) {
        leaf.merge(name(frames.getFirst()), 1, Integer::sum);
      }
      frames.stream().filter(f -> f.getMethod().getType().getName().startsWith("dev.ferry.")).findFirst()
          .ifPresent(f -> ferry.merge(name(f), 1, Integer::sum));
      String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
      threads.merge(thread == null ? "?" : thread.replaceAll("[0-9]+$", "N"), 1, Integer::sum);
    }
    StringBuilder b = new StringBuilder();
    b.append(samples).append(" CPU samples (jdk.ExecutionSample).\n\n");
    table(b, "thread", threads, samples, top);
    b.append("| thread | average CPU load (jdk.ThreadCPULoad, share of the whole machine) |\n|---|---|\n");
    cpu.entrySet().stream().filter(e -> e.getValue()[1] > 0)
        .sorted((x, y) -> Double.compare(y.getValue()[0] / y.getValue()[1], x.getValue()[0] / x.getValue()[1]))
        .limit(6).forEach(e -> b.append("| `").append(e.getKey()).append("` | ")
            .append(Stats.fmt("%.1f%%", 100 * e.getValue()[0] / e.getValue()[1])).append(" |\n"));
    b.append('\n');
    table(b, "top frame", leaf, samples, top);
    table(b, "innermost Ferry frame", ferry, samples, top);
    return b.toString();
  }

  private static String name(RecordedFrame f) {
    String type = f.getMethod().getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
  }

  private static void table(StringBuilder b, String what, Map<String, Integer> counts, int total, int top) {
    b.append("| ").append(what).append(" | samples | share |\n|---|---|---|\n");
    counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
        .forEach(e -> b.append("| `").append(e.getKey()).append("` | ").append(e.getValue()).append(" | ")
            .append(Stats.fmt("%.1f%%", 100.0 * e.getValue() / Math.max(1, total))).append(" |\n"));
    b.append('\n');
  }
}
