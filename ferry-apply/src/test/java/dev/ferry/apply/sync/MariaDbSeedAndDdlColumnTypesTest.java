package dev.ferry.apply.sync;

import static dev.ferry.apply.jdbc.MariaDbTargets.execute;
import static dev.ferry.apply.jdbc.MariaDbTargets.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.dialect.mariadb.MariaDbDialect;
import dev.ferry.apply.jdbc.MariaDbTargets;
import dev.ferry.apply.jdbc.SeedTarget;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.snapshot.SourceTable;
import dev.ferry.testkit.MariaDbServerExtension;
import dev.ferry.testkit.PostgresClusterExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One type mapping into MariaDB (docs/apply.md, "DDL into a MariaDB target"), on real servers: a
 * PostgreSQL table with a column of every type the table lists, created on one MariaDB database by
 * the seed (from the columns' {@code format_type} in PostgreSQL's catalog, as the snapshot reads
 * them) and on another by the same {@code CREATE TABLE} replicated as DDL, has the same columns:
 * {@code information_schema.COLUMNS}' COLUMN_TYPE, IS_NULLABLE and COLUMN_KEY are equal.
 */
class MariaDbSeedAndDdlColumnTypesTest {
  @RegisterExtension static final PostgresClusterExtension pg = new PostgresClusterExtension();
  @RegisterExtension static final MariaDbServerExtension mariadb = new MariaDbServerExtension();

  private static final String CREATE = "CREATE TABLE parity (id bigint PRIMARY KEY, s smallint, i integer,"
      + " i4 int4, se serial, b bigint NOT NULL, o oid, f boolean, r real, fl4 float(10), d double precision,"
      + " fl8 float8, n numeric(10,2), n12 numeric(12), n0 numeric, vc varchar(20) NOT NULL,"
      + " cv character varying(7), ch char(3), c1 char, tx text, vu varchar, j json, jb jsonb, by bytea, dt date,"
      + " ts timestamp, ts3 timestamp(3), tz timestamptz, tz0 timestamp(0) with time zone, tm time, tm2 time(2),"
      + " u uuid)";

  @Test
  void aPostgresTableSeededAndTheSameTableCreatedByDdlHaveTheSameColumnTypes() throws Exception {
    String src = pg.cluster().createDatabase("typeparity");
    execute(src, CREATE);
    SourceTable table = new SourceTable(new TableId("public", "parity"), catalogColumns(src), List.of("id"), 0, 0);
    String seeded = MariaDbTargets.fresh(mariadb, "seeded", "");
    String replicated = MariaDbTargets.fresh(mariadb, "replicated", "");

    try (Connection c = DriverManager.getConnection(seeded)) {
      SeedTarget target = SeedTarget.on(c, ApplyConfig.defaults("r1", "src-1"));
      TargetTables.ensure(target, table, SourceTypes.POSTGRES, "");
      c.commit();
    }
    try (Connection c = DriverManager.getConnection(replicated)) {
      MariaDbDialect.INSTANCE.markFerrySession(c);
      MariaDbDialect.INSTANCE.applyDdl(c, new Change.Ddl(CREATE, "\"$user\", public", 1), SourcePosition.Kind.PG_LSN);
    }

    String columns = "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY FROM information_schema.COLUMNS"
        + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'parity' ORDER BY ORDINAL_POSITION";
    List<String> fromSeed = rows(seeded, columns);
    assertThat(fromSeed).hasSize(table.columns().size())
        .contains("o|int(10) unsigned|YES|", "j|longtext|YES|", "jb|longtext|YES|", "tz0|datetime|YES|",
            "vc|varchar(20)|NO|", "id|bigint(20)|NO|PRI");
    assertThat(rows(replicated, columns)).containsExactlyElementsOf(fromSeed);
  }

  /** The table's columns as the snapshot describes them: {@code format_type} text and NOT NULL. */
  private static List<SourceTable.SourceColumn> catalogColumns(String url) throws SQLException {
    List<SourceTable.SourceColumn> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute"
            + " WHERE attrelid = 'parity'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
      while (rs.next()) {
        out.add(new SourceTable.SourceColumn(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
      }
    }
    return out;
  }
}
