package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.dialect.sqlite.SqliteReadOnly;
import dev.ferry.journal.JournalInspector;
import dev.ferry.testkit.TableDigest;
import dev.ferry.testkit.WorkloadRunner;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry table add} while {@code ferry run} streams under a write load: a table created with
 * rows before it joins the publication, and written to throughout, reaches a PostgreSQL and a
 * SQLite replica with every row; {@code ferry table resync} restores a table that drifted on a
 * replica. Separate processes through {@code bin/ferry}, real databases.
 */
@Timeout(420)
class TableAddTest {
  private static final String PARCELS = "parcels";

  @TempDir Path dir;

  @Test
  void aTableAddedWhileRunStreamsReachesBothReplicasWithItsEarlierRowsAndResyncRestoresADriftedCopy()
      throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Process run = t.startStreaming(cli);
      t.load();
      try (WorkloadRunner workload = t.steadyWorkload(20)) {
        // Unqualified, so that the replicated CREATE TABLE runs on the SQLite replica as well.
        Sql.execute(t.primaryUrl, "CREATE TABLE parcels (id bigint PRIMARY KEY, weight integer NOT NULL, label text)",
            "INSERT INTO parcels SELECT g, g % 97, 'p' || g FROM generate_series(1, 20000) g");
        try (ParcelWriter writer = new ParcelWriter(t.primaryUrl, 20)) {
          writer.awaitWrites(100, run);
          FerryCli.Result add = cli.run(Duration.ofSeconds(180), "table", "add", "public.parcels", "-c",
              t.config.toString());
          assertThat(add.exitCode()).as("table add: %s; log: %s", add.all(), RunEndToEndTest.log(dir)).isZero();
          assertThat(add.stdout()).contains("replica pg: copied").contains("replica lite: copied");
          writer.awaitWrites(writer.writes() + 300, run);
        }
        workload.stop();
      }
      assertThat(awaitParcelsEqual(t, Duration.ofSeconds(120))).as("parcels; log: %s", RunEndToEndTest.log(dir))
          .isEmpty();
      assertThat(t.awaitEqual(Duration.ofSeconds(60))).as("bank tables").isEmpty();

      // Drift that meets no conflict while streaming goes on (a deleted row would stop the replica at the
      // source's next change to it): changed labels, and rows the source never had. The PostgreSQL replica
      // is read-only to all but Ferry: a superuser session in its replication role writes; on the SQLite
      // replica (read-only by default) a connection marked as Ferry's.
      Sql.execute(t.pgReplicaUrl, "SET default_transaction_read_only = off", "SET session_replication_role = replica",
          "UPDATE parcels SET label = 'drifted' WHERE id % 7 = 0",
          "INSERT INTO parcels SELECT -g, 0, 'local' FROM generate_series(1, 50) g");
      try (Connection c = t.liteReplica.connect(); java.sql.Statement st = c.createStatement()) {
        SqliteReadOnly.markFerrySession(c); // as a Ferry connection: the SQLite replica's guards refuse others
        st.execute("UPDATE parcels SET weight = -1 WHERE id % 3 = 0");
      }
      assertThat(parcelDifferences(t)).hasSize(2);
      try (ParcelWriter writer = new ParcelWriter(t.primaryUrl, 21)) {
        writer.awaitWrites(50, run);
        FerryCli.Result resync = cli.run(Duration.ofSeconds(180), "table", "resync", "parcels", "-c",
            t.config.toString());
        assertThat(resync.exitCode()).as("table resync: %s", resync.all()).isZero();
        writer.awaitWrites(writer.writes() + 100, run);
      }
      assertThat(awaitParcelsEqual(t, Duration.ofSeconds(120))).as("parcels after resync; log: %s",
          RunEndToEndTest.log(dir)).isEmpty();
      assertThat(run.isAlive()).isTrue();
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  @Test
  void aCopyLeftCopyingByAnInterruptedAddHoldsTheTableBackUntilTheNextAddCopiesIt() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Process run = t.startStreaming(cli);
      Sql.execute(t.primaryUrl, "CREATE TABLE parcels (id bigint PRIMARY KEY, weight integer NOT NULL, label text)",
          "INSERT INTO parcels SELECT g, g % 97, 'p' || g FROM generate_series(1, 5000) g");
      // What 'ferry table add' leaves when stopped after it marked the replicas and published the table.
      String journal = JournalInspector.journalId(dir.resolve("journal")).toString();
      String mark = "INSERT INTO %s (source, table_name, state) VALUES ('" + journal + "', 'public.parcels', 'COPYING')";
      Sql.execute(t.pgReplicaUrl, "SET default_transaction_read_only = off", mark.formatted("_ferry.table_copies"));
      Sql.execute(t.liteReplica.jdbcUrl(), mark.formatted("ferry_table_copies"));
      Sql.execute(t.primaryUrl, "ALTER PUBLICATION ferry_primary ADD TABLE parcels");
      try (ParcelWriter writer = new ParcelWriter(t.primaryUrl, 22)) {
        writer.awaitWrites(200, run);
        LogWait.awaitLine(dir.resolve("run.log"), "waiting for the copy of public.parcels", run, Duration.ofSeconds(60));
        assertThat(Sql.scalar(t.pgReplicaUrl, "SELECT count(*) FROM parcels")).as("held back").isEqualTo("0");
        FerryCli.Result add = cli.run(Duration.ofSeconds(180), "table", "add", "parcels", "-c", t.config.toString());
        assertThat(add.exitCode()).as("table add again: %s", add.all()).isZero();
        assertThat(add.stdout()).contains("is in publication ferry_primary already: copying it again");
        writer.awaitWrites(writer.writes() + 200, run);
      }
      assertThat(awaitParcelsEqual(t, Duration.ofSeconds(120))).as("parcels; log: %s", RunEndToEndTest.log(dir))
          .isEmpty();
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  private static List<String> awaitParcelsEqual(Topology t, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> differ = parcelDifferences(t);
    while (!differ.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(500);
      differ = parcelDifferences(t);
    }
    return differ;
  }

  private static List<String> parcelDifferences(Topology t) throws SQLException {
    List<String> differ = new ArrayList<>();
    TableDigest source;
    try (Connection c = DriverManager.getConnection(t.primaryUrl)) {
      source = TableDigest.of(c, PARCELS);
    }
    try (Connection pg = DriverManager.getConnection(t.pgReplicaUrl); Connection lite = t.liteReplica.connect()) {
      TableDigest onPg = TableDigest.of(pg, PARCELS);
      TableDigest onLite = TableDigest.of(lite, PARCELS);
      if (!source.equals(onPg)) {
        differ.add("pg: " + source + " vs " + onPg);
      }
      if (!source.equals(onLite)) {
        differ.add("lite: " + source + " vs " + onLite);
      }
    }
    return differ;
  }

  /** Inserts, updates and deletes rows of parcels on the source from its own thread, one per transaction. */
  private static final class ParcelWriter implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread thread;

    ParcelWriter(String url, long seed) {
      thread = Thread.ofPlatform().name("parcel-writer").start(() -> write(url, new SplittableRandom(seed)));
    }

    private void write(String url, SplittableRandom random) {
      try (Connection c = DriverManager.getConnection(url);
          PreparedStatement insert = c.prepareStatement("INSERT INTO parcels (id, weight, label) VALUES "
              + "((SELECT coalesce(max(id), 0) + 1 FROM parcels), ?, ?)");
          PreparedStatement update = c.prepareStatement("UPDATE parcels SET weight = weight + 1, label = ? "
              + "WHERE id = ?");
          PreparedStatement delete = c.prepareStatement("DELETE FROM parcels WHERE id = ?")) {
        while (!stop.get()) {
          int op = random.nextInt(10);
          PreparedStatement ps = op < 4 ? insert : op < 8 ? update : delete;
          if (ps == insert) {
            ps.setInt(1, random.nextInt(1000));
            ps.setString(2, "n" + random.nextInt());
          } else if (ps == update) {
            ps.setString(1, "u" + random.nextInt());
            ps.setLong(2, 1 + random.nextInt(20_000));
          } else {
            ps.setLong(1, 1 + random.nextInt(20_000));
          }
          ps.executeUpdate();
          writes.incrementAndGet();
          Thread.sleep(2);
        }
      } catch (Exception e) {
        failure.set(e);
      }
    }

    long writes() {
      return writes.get();
    }

    void awaitWrites(long n, Process run) throws Exception {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (writes.get() < n) {
        assertThat(failure.get()).as("parcel writer").isNull();
        assertThat(run.isAlive()).as("ferry run").isTrue();
        assertThat(System.nanoTime()).as("%d writes to parcels within 60 s", n).isLessThan(deadline);
        Thread.sleep(50);
      }
    }

    @Override
    public void close() throws Exception {
      stop.set(true);
      thread.join();
      if (failure.get() != null) {
        throw failure.get();
      }
    }
  }
}
