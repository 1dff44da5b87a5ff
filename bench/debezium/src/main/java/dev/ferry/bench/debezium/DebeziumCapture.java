package dev.ferry.bench.debezium;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Debezium peer of case 6: the embedded engine with its PostgreSQL connector reads an existing
 * slot through {@code pgoutput} into a consumer that only counts, until it sees the marker row.
 * Offsets stay in memory ({@code MemoryOffsetBackingStore}); no snapshot.
 *
 * <p>Usage: {@code host port database slot publication markerTable goFile}. Waits for
 * {@code goFile} to exist (so JVM start-up is not timed), then prints
 * {@code RESULT events=<n> seconds=<s>} and exits 0; exits 1 on a failure or after 10 minutes.
 */
public final class DebeziumCapture {
  private DebeziumCapture() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 7) {
      System.err.println("usage: DebeziumCapture host port database slot publication markerTable goFile");
      System.exit(2);
    }
    Properties p = new Properties();
    p.setProperty("name", "bench");
    p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
    p.setProperty("offset.flush.interval.ms", "1000");
    p.setProperty("database.hostname", args[0]);
    p.setProperty("database.port", args[1]);
    p.setProperty("database.user", "postgres");
    p.setProperty("database.password", "");
    p.setProperty("database.dbname", args[2]);
    p.setProperty("topic.prefix", "bench");
    p.setProperty("plugin.name", "pgoutput");
    p.setProperty("slot.name", args[3]);
    p.setProperty("publication.name", args[4]);
    p.setProperty("publication.autocreate.mode", "disabled");
    p.setProperty("snapshot.mode", "no_data");
    String marker = "." + args[5];
    Path go = Path.of(args[6]);

    AtomicLong events = new AtomicLong();
    CountDownLatch done = new CountDownLatch(1);
    Throwable[] failure = new Throwable[1];
    while (!Files.exists(go)) {
      Thread.sleep(2);
    }
    long start = System.nanoTime();
    DebeziumEngine<ChangeEvent<String, String>> engine = DebeziumEngine.create(Json.class)
        .using(p)
        .notifying(event -> {
          events.incrementAndGet();
          if (event.destination() != null && event.destination().endsWith(marker)) {
            done.countDown();
          }
        })
        .using((success, message, error) -> {
          if (!success) {
            failure[0] = error != null ? error : new IllegalStateException(message);
            done.countDown();
          }
        })
        .build();
    ExecutorService executor = Executors.newSingleThreadExecutor();
    executor.execute(engine);
    boolean finished = done.await(10, TimeUnit.MINUTES);
    long nanos = System.nanoTime() - start;
    engine.close();
    executor.shutdown();
    executor.awaitTermination(30, TimeUnit.SECONDS);
    if (!finished || failure[0] != null) {
      System.out.println("FAILED " + (failure[0] == null ? "timed out" : failure[0]));
      System.exit(1);
    }
    System.out.printf(java.util.Locale.ROOT, "RESULT events=%d seconds=%.3f%n", events.get(), nanos / 1e9);
    System.exit(0);
  }
}
