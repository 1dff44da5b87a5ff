package dev.ferry.apply.jdbc;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ApplyException;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.testkit.MariaDbServerExtension;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Read-only mode on a real MariaDB server: the global {@code read_only} refuses an ordinary
 * user's writes while Ferry's (with {@code READ_ONLY ADMIN}) apply goes on; configured read-write
 * again, the replica gets {@code read_only} back as Ferry found it; a Ferry user without the
 * privilege is refused at open naming the privilege and the grant, {@code read_only} untouched.
 */
@Timeout(120)
class MariaDbReadOnlyTest {
  @RegisterExtension
  static final MariaDbServerExtension mariadb = new MariaDbServerExtension();
  private String url;

  @BeforeEach
  void freshDatabaseAndUsers() throws SQLException {
    url = MariaDbTargets.fresh(mariadb, "ro", "");
    String db = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
    MariaDbTargets.execute(url, "CREATE TABLE t (id BIGINT PRIMARY KEY)");
    for (String user : new String[] {"app", "weak"}) {
      MariaDbTargets.execute(url, "CREATE USER IF NOT EXISTS " + user + "@'127.0.0.1'");
      MariaDbTargets.execute(url, "GRANT ALL ON " + db + ".* TO " + user + "@'127.0.0.1'");
    }
  }

  @AfterEach
  void serverWritable() throws SQLException {
    MariaDbTargets.execute(url, "SET GLOBAL read_only = OFF");
  }

  @Test
  void anOrdinaryUsersWriteIsRefusedWhileFerrysApplyGoesOnUntilReadWriteAgain() throws Exception {
    ApplyConfig config = ApplyConfig.defaults("r1", "src-1").withReadOnlyReplica(true);
    try (Applier applier = JdbcApplier.open(config, () -> DriverManager.getConnection(url))) {
      assertThat(MariaDbTargets.rows(url, "SELECT @@GLOBAL.read_only")).containsExactly("1");
      assertThatThrownBy(() -> MariaDbTargets.execute(as("app"), "INSERT INTO t VALUES (100)"))
          .hasMessageContaining("--read-only option");
      applier.apply(Transactions.txAt(1, 0, insert(table("t"), cols("id:int8"), 1)));
      applier.flush();
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:1"));
    }
    assertThat(MariaDbTargets.rows(url, "SELECT id FROM t")).containsExactly("1");
    try (Applier applier = JdbcApplier.open(config.withReadOnlyReplica(false), () -> DriverManager.getConnection(url))) {
      assertThat(MariaDbTargets.rows(url, "SELECT @@GLOBAL.read_only")).containsExactly("0");
    }
    MariaDbTargets.execute(as("app"), "INSERT INTO t VALUES (100)");
    assertThat(MariaDbTargets.rows(url, "SELECT count(*) FROM ferry_read_only")).containsExactly("0");
  }

  @Test
  void aFerryUserWithoutReadOnlyAdminIsRefusedNamingThePrivilege() throws Exception {
    ApplyConfig config = ApplyConfig.defaults("r1", "src-1").withReadOnlyReplica(true);
    assertThatThrownBy(() -> JdbcApplier.open(config, () -> DriverManager.getConnection(as("weak"))))
        .isInstanceOf(ApplyException.class)
        .hasMessageContaining("[replica r1] mode: read-only sets MariaDB's global read_only")
        .hasMessageContaining("Ferry's user 'weak'@'127.0.0.1' has not got it")
        .hasMessageContaining("GRANT READ_ONLY ADMIN ON *.* TO 'weak'@'127.0.0.1', or set mode: read-write");
    assertThat(MariaDbTargets.rows(url, "SELECT @@GLOBAL.read_only")).containsExactly("0");
    MariaDbTargets.execute(as("app"), "INSERT INTO t VALUES (100)");
  }

  private String as(String user) {
    return url.replace("user=root", "user=" + user);
  }
}
