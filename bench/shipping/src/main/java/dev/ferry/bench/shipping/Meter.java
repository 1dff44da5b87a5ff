package dev.ferry.bench.shipping;

import java.lang.management.ManagementFactory;

/** Times one turn: wall clock and this process's CPU time (all threads, both ends, GC and JIT). */
final class Meter {
  private final long startNanos;
  private final long startCpu;

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
    this.startCpu = processCpuNanos();
    this.startNanos = System.nanoTime();
  }

  static Meter start() {
    return new Meter();
  }

  Turn stop(long bytes) {
    long nanos = System.nanoTime() - startNanos;
    return new Turn(nanos / 1e9, bytes, (processCpuNanos() - startCpu) / 1e9);
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
