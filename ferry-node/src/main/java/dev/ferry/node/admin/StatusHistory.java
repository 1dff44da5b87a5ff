package dev.ferry.node.admin;

import dev.ferry.node.run.NodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last minutes of a node's status, sampled on its own thread, for the dashboard's charts
 * ({@code GET /api/history}): a page opened now shows how lag and throughput moved before it was
 * opened. Kept in memory only; a restart starts it anew. Thread-safe.
 */
final class StatusHistory implements AutoCloseable {
  static final Duration INTERVAL = Duration.ofSeconds(2);
  static final int KEEP = 150; // five minutes at INTERVAL
  private static final Logger log = LoggerFactory.getLogger(StatusHistory.class);

  /**
   * One sample of a replica.
   *
   * @param applied transactions applied by this process
   * @param lagTransactions transactions in the journal not yet applied
   * @param lagSeconds source commit time of the journal's head minus that of the last applied
   */
  record Replica(String name, String state, long applied, long lagTransactions, double lagSeconds) {}

  /**
   * One sample of the node.
   *
   * @param captured transactions captured by this process (0 when it does not capture)
   */
  record Sample(Instant time, long captured, List<Replica> replicas) {}

  /** What {@code GET /api/history} answers: samples oldest first. */
  record Document(long intervalSeconds, List<Sample> samples) {}

  private final Supplier<NodeStatus> status;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>(KEEP);
  private volatile Thread sampler;

  StatusHistory(Supplier<NodeStatus> status) {
    this.status = status;
  }

  /** Takes a sample now and then every {@link #INTERVAL} until closed. */
  void start() {
    sampler = Thread.ofVirtual().name("ferry-status-history").start(this::run);
  }

  private void run() {
    Optional<String> lastError = Optional.empty();
    while (!Thread.currentThread().isInterrupted()) {
      try {
        sample(status.get());
        lastError = Optional.empty();
      } catch (RuntimeException e) {
        // A gap in the chart, said once: the status itself reports what is wrong.
        if (!lastError.equals(Optional.ofNullable(e.getMessage()))) {
          log.warn("dashboard history: could not read the node's status: {}", e.toString());
        }
        lastError = Optional.ofNullable(e.getMessage());
      }
      try {
        Thread.sleep(INTERVAL);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  void sample(NodeStatus s) {
    Sample sample = new Sample(s.time(), s.source().map(NodeStatus.Source::captured).orElse(0L),
        s.replicas().stream().map(r -> new Replica(r.name(), r.state().text(), r.applied(), r.lag().transactions(),
            r.lag().seconds())).toList());
    synchronized (samples) {
      if (samples.size() == KEEP) {
        samples.removeFirst();
      }
      samples.addLast(sample);
    }
  }

  Document document() {
    synchronized (samples) {
      return new Document(INTERVAL.toSeconds(), List.copyOf(samples));
    }
  }

  @Override
  public void close() {
    Thread t = sampler;
    if (t != null) {
      t.interrupt();
    }
  }
}
