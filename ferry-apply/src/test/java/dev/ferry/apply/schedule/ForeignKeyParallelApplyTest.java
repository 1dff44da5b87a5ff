package dev.ferry.apply.schedule;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.PostgresClusterExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Parallel apply on a PostgreSQL replica whose role may not set {@code session_replication_role},
 * so the target checks its foreign keys: parents and their children inserted in separate
 * transactions, each child 20 transactions after its parent (so they fall in different units of
 * work), applied with 4 workers. Without the parent's key in the child's write set a worker inserts
 * a child before the parent's unit committed and the target refuses it; with it every row arrives.
 */
@Timeout(180)
class ForeignKeyParallelApplyTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final int PARENTS = 300;
  private static final int LAG = 20;
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();
  @TempDir Path dir;

  @ParameterizedTest(name = "commit order {0}")
  @EnumSource(ApplyConfig.CommitOrder.class)
  void childrenWaitForTheirParentsWhenTheReplicaChecksForeignKeys(ApplyConfig.CommitOrder order) throws Exception {
    TableId parent = table("fk_parent");
    TableId child = table("fk_child");
    List<Column> parentCols = cols("id:int8", "name:text");
    List<Column> childCols = cols("id:int8", "parent_id:int8");
    List<Transaction> txs = new ArrayList<>();
    int seq = 0;
    for (int p = 1; p <= PARENTS + LAG; p++) {
      if (p <= PARENTS) {
        txs.add(tx(++seq, insert(parent, parentCols, p, "parent " + p)));
      }
      if (p > LAG) {
        txs.add(tx(++seq, insert(child, childCols, p - LAG, p - LAG)));
      }
    }
    Path journal = TestJournals.write(dir.resolve("journal"), txs);
    int n = DATABASES.incrementAndGet();
    String role = "fk_applier" + n;
    String database = "fkpar" + n;
    String superUrl = postgres.cluster().createDatabase(database);
    try (Connection c = DriverManager.getConnection(superUrl); Statement st = c.createStatement()) {
      st.execute("CREATE ROLE " + role + " LOGIN");
      st.execute("ALTER DATABASE " + database + " OWNER TO " + role);
      st.execute("ALTER SCHEMA public OWNER TO " + role);
    }
    String url = superUrl.replace("user=postgres", "user=" + role);
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE fk_parent (id bigint PRIMARY KEY, name text NOT NULL)");
      st.execute("CREATE TABLE fk_child (id bigint PRIMARY KEY, parent_id bigint NOT NULL REFERENCES fk_parent (id))");
      assertThatThrownBy(() -> st.execute("SET session_replication_role = replica"))
          .as("the applier's role may not turn foreign-key checks off").hasMessageContaining("session_replication_role");
    }
    ApplyConfig config = ApplyConfig.defaults("fk", "src").withParallel(new ApplyConfig.Parallel(4, order));
    try (Applier applier = ParallelApplier.open(config, () -> DriverManager.getConnection(url),
        InstantSource.system())) {
      TestJournals.applyAll(applier, journal);
      assertThat(applier.position().applied().toString()).isEqualTo("0:" + txs.size());
    }
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM fk_parent), (SELECT count(*) FROM fk_child),"
            + " (SELECT count(*) FROM fk_child WHERE parent_id = id)")) {
      rs.next();
      assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3)))
          .containsExactly((long) PARENTS, (long) PARENTS, (long) PARENTS);
    }
  }
}
