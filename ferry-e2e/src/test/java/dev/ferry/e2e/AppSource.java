package dev.ferry.e2e;

import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.PostgresClusterExtension;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A throwaway PostgreSQL source shared by the tests of a class: a cluster with a database
 * {@code app} made by the given statements before the class's own {@code @BeforeAll} methods run,
 * stopped after the last test. Register it on a static field:
 * {@code @RegisterExtension static final AppSource source = new AppSource("CREATE TABLE t (id int)");}
 */
final class AppSource implements BeforeAllCallback, AfterAllCallback {
  private final PostgresClusterExtension postgres = new PostgresClusterExtension();
  private final List<String> statements;
  private volatile String url;

  AppSource(String... statements) {
    this.statements = List.of(statements);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    postgres.beforeAll(context);
    url = postgres.cluster().createDatabase("app");
    Sql.execute(url, statements.toArray(String[]::new));
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    postgres.afterAll(context);
  }

  PostgresCluster cluster() {
    return postgres.cluster();
  }

  /** The JDBC URL of database {@code app}. */
  String url() {
    return url;
  }
}
