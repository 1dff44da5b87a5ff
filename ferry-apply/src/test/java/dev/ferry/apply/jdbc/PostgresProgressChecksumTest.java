package dev.ferry.apply.jdbc;

import dev.ferry.apply.ConnectionSource;
import dev.ferry.testkit.PostgresClusterExtension;
import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresProgressChecksumTest extends ProgressChecksumContract {
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  private String url;

  @BeforeEach
  void freshDatabase() throws Exception {
    url = postgres.cluster().createDatabase("checksums" + System.nanoTime());
  }

  @Override
  ConnectionSource target() {
    return () -> DriverManager.getConnection(url);
  }

  @Override
  List<String> oldProgressTable() {
    return List.of("CREATE SCHEMA ferry", """
        CREATE TABLE ferry.replication_control (source text PRIMARY KEY, applied_gtids text NOT NULL,
          journal_position text, schema_sequence bigint, last_commit_time timestamptz,
          updated_at timestamptz NOT NULL DEFAULT now())""",
        "INSERT INTO ferry.replication_control (source, applied_gtids) VALUES ('src-1', '')");
  }

  @Override
  String accountsDdl() {
    return "CREATE TABLE public.accounts (id int8 PRIMARY KEY, n int8, note text)";
  }
}
