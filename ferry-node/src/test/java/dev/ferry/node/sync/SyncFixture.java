package dev.ferry.node.sync;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.sync.CopyOptions;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.journal.JournalConfig;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.node.run.SourceSpec;
import dev.ferry.testkit.BankWorkload;
import dev.ferry.testkit.TableDigest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/** The pieces the initial sync tests share: specs, a bulk table, digests. */
final class SyncFixture {
  static final List<String> TABLES = List.of("branches", "tellers", "accounts", "history", "documents", "bulk");

  private SyncFixture() {
  }

  /** A source named after its database, so tests sharing a cluster have their own slots. */
  static PostgresSourceConfig source(String url) {
    String db = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
    return PostgresSourceConfig.of(db, url);
  }

  static ReplicaSpec replica(String url) {
    return new ReplicaSpec(ApplyConfig.defaults("r1", "unset"), url, new Properties());
  }

  static NodeSpec node(String sourceUrl, Path journal, String replicaUrl) {
    return new NodeSpec(new SourceSpec.Postgres(source(sourceUrl)), JournalConfig.defaults(journal),
        List.of(replica(replicaUrl)));
  }

  static InitialSync.Options options(int streams, long chunkRows) {
    return new InitialSync.Options(new CopyOptions(streams, chunkRows, Optional.of(System.err)),
        Duration.ofSeconds(60));
  }

  /** The bank plus a table of {@code rows} rows with a key, a numeric, a timestamp and text. */
  static BankWorkload createSource(String url, int accounts, int bulkRows) throws SQLException {
    BankWorkload bank = new BankWorkload(BankWorkload.Dialect.POSTGRES, accounts);
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      bank.createSchema(c);
      bank.load(c);
      st.execute("CREATE TABLE bulk (id bigint PRIMARY KEY, amount numeric(14,3), at timestamptz, label text)");
      st.execute("INSERT INTO bulk SELECT g, g * 1.125, timestamptz '2024-01-01 00:00+00' + g * interval '1 s', "
          + "'row ' || g || E'\\ttab\\\\' FROM generate_series(1, " + bulkRows + ") g");
      st.execute("ANALYZE");
    }
    return bank;
  }

  /** Waits until the target's digests equal the source's; asserts they do in the end. */
  static void awaitEqualDigests(String source, String target, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, TableDigest> expected = digests(source);
    while (System.nanoTime() < deadline && !digests(target).equals(expected)) {
      Thread.sleep(250);
    }
    org.assertj.core.api.Assertions.assertThat(digests(target)).isEqualTo(expected);
  }

  static Map<String, TableDigest> digests(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url)) {
      return TableDigest.ofAll(c, TABLES);
    }
  }
}
