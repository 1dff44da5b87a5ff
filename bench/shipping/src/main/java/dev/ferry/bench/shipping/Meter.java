package dev.ferry.bench.shipping;

import java.lang.management.ManagementFactory;

/** Times one turn: wall clock and this process's CPU time (all threads, both ends, GC and JIT). */
final class Meter {
  /** Print each turn's CPU by thread to stderr ({@code --threads}). */
  static volatile boolean perThread;
  private final long startNanos;
  private final long startCpu;
  private final java.util.Map<String, double[]> startThreads;

  /**
   * One timed turn.
   *
   * @param seconds wall-clock time
   * @param bytes the bytes shipped (the sealed segments' total size)
   * @param cpuSeconds CPU time of the whole process meanwhile (sender and receiver together)
   */
  record Turn(double seconds, long bytes, double cpuSeconds) {
    double mbPerSecond() {
      return bytes / seconds / 1e6;
    }

    /** CPU milliseconds per MB shipped: steadier than throughput on a shared machine. */
    double cpuMsPerMb() {
      return cpuSeconds * 1e3 / (bytes / 1e6);
    }
  }

  private Meter() {
    this.startThreads = perThread ? threadCpu() : java.util.Map.of();
    this.startCpu = processCpuNanos();
    this.startNanos = System.nanoTime();
  }

  static Meter start() {
    return new Meter();
  }

  Turn stop(long bytes) {
    long nanos = System.nanoTime() - startNanos;
    Turn turn = new Turn(nanos / 1e9, bytes, (processCpuNanos() - startCpu) / 1e9);
    if (perThread) {
      StringBuilder line = new StringBuilder("  CPU ms/MB by thread (user+system):");
      threadCpu().forEach((name, now) -> {
        double[] was = startThreads.getOrDefault(name, new double[2]);
        double user = (now[0] - was[0]) * 1e3 / (bytes / 1e6);
        double sys = (now[1] - was[1]) * 1e3 / (bytes / 1e6);
        if (user + sys >= 0.05) {
          line.append(String.format(java.util.Locale.ROOT, " %s %.2f+%.2f", name, user, sys));
        }
      });
      System.err.println(line);
    }
    return turn;
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * CPU seconds (user, system) of each live thread, by name with digits dropped; for
   * {@code --threads}, read just before a turn's threads end.
   */
  static java.util.Map<String, double[]> threadCpu() {
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    java.util.Map<String, double[]> byName = new java.util.TreeMap<>();
    for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t != null) {
        long cpu = threads.getThreadCpuTime(t.getThreadId());
        long user = threads.getThreadUserTime(t.getThreadId());
        double[] sum = byName.computeIfAbsent(t.getThreadName().replaceAll("\\d+", "#"), k -> new double[2]);
        sum[0] += user / 1e9;
        sum[1] += (cpu - user) / 1e9;
      }
    }
    return byName;
  }

  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
