package dev.ferry.apply.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.dialect.ControlTables;
import dev.ferry.testkit.PostgresClusterExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresControlTablesTest extends ControlTablesContract {
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  private String url;

  @BeforeEach
  void freshDatabase() throws Exception {
    url = postgres.cluster().createDatabase("control" + System.nanoTime());
  }

  @Override
  ConnectionSource target() {
    return () -> DriverManager.getConnection(url);
  }

  @Override
  String expectedProgressTable() {
    return "_ferry.replication_control";
  }

  @Override
  String timeLiteral() {
    return "'2026-01-02T03:04:05Z'::timestamptz";
  }

  @Test
  void keepsRecordedIndexDefinitionsAndTheirSchemaOnDrop() throws Exception {
    try (Connection c = target().connect(); Statement st = c.createStatement()) {
      ControlTables tables = ControlTables.of(c);
      tables.prepare(c);
      tables.createSyncIndexes(c);
      st.execute("INSERT INTO " + tables.syncIndexes() + " VALUES ('t', 'i', false, 'CREATE INDEX i ON t (a)', 1)");
      tables.drop(c);
      assertThat(tables.exists(c, ControlTables.SYNC_INDEXES)).isTrue();
      st.execute("DELETE FROM " + tables.syncIndexes());
      tables.drop(c);
      assertThat(tables.exists(c, ControlTables.SYNC_INDEXES)).as("dropped once empty").isFalse();
      try (var rs = st.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = '_ferry'")) {
        rs.next();
        assertThat(rs.getInt(1)).as("the emptied _ferry schema is gone").isZero();
      }
    }
  }
}
