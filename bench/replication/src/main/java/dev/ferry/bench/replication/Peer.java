package dev.ferry.bench.replication;

import java.time.Duration;

/**
 * One replication tool under test, applying the primary into its own replica database. A peer is
 * either running (streaming from its slot) or stopped (its slot keeps the changes). Driven by one
 * thread.
 */
interface Peer extends AutoCloseable {
  /** Short name for tables: {@code Ferry} or {@code native}. */
  String name();

  /** The replica database this peer applies into. */
  String replicaDb();

  /** Gets ready to start without starting (a JVM may boot here, so its start-up is not timed). */
  void prepare(Options options) throws Exception;

  /** Starts streaming; returns when the start has been requested (not when streaming). */
  void start() throws Exception;

  /** Whether the peer is still running (a crashed Ferry process is not). */
  boolean alive();

  /** Stops streaming and waits until the slot is free again. */
  void stop() throws Exception;

  /** Peak resident set size of the peer's own process in bytes, while it runs; -1 if not separate. */
  long peakRssBytes();

  /** What stopped it, if it failed. */
  String failure();

  @Override
  default void close() throws Exception {
    stop();
  }

  /**
   * @param heap the JVM's {@code -Xmx} (Ferry only)
   * @param jfr a JFR file to record into, or null
   */
  /**
   * @param metrics Ferry only: with its HTTP server and metrics on, scraped every second (case 8)
   */
  record Options(String heap, java.nio.file.Path jfr, boolean metrics) {
    static final Options DEFAULT = new Options("512m", null, false);

    Options(String heap, java.nio.file.Path jfr) {
      this(heap, jfr, false);
    }
  }

  static Duration stopTimeout() {
    return Duration.ofSeconds(60);
  }
}
