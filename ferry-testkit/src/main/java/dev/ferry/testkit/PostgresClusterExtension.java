package dev.ferry.testkit;

import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One throwaway {@link PostgresCluster} shared by the tests of a class: started before the first
 * test, stopped and removed after the last.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresClusterExtension postgres = new PostgresClusterExtension();
 * ...
 * postgres.cluster().createDatabase("app");
 * }</pre>
 *
 * <p>Register it on a static field. {@link #cluster()} is safe to call from any thread once the
 * cluster has started.
 */
public final class PostgresClusterExtension implements BeforeAllCallback, AfterAllCallback {
  private final Map<String, String> settings;
  private volatile PostgresCluster cluster;

  /** A cluster with the test kit's default settings (logical decoding on). */
  public PostgresClusterExtension() {
    this(Map.of());
  }

  /** A cluster with {@code settings} added to {@code postgresql.conf}, as {@link PostgresCluster#start(Map)}. */
  public PostgresClusterExtension(Map<String, String> settings) {
    this.settings = Map.copyOf(settings);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    cluster = PostgresCluster.start(settings);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    PostgresCluster c = cluster;
    cluster = null;
    if (c != null) {
      c.close();
    }
  }

  /** The running cluster; fails if the extension is not registered on a static field. */
  public PostgresCluster cluster() {
    PostgresCluster c = cluster;
    if (c == null) {
      throw new IllegalStateException("no cluster: register PostgresClusterExtension with @RegisterExtension on a "
          + "static field, and use it from tests or @BeforeEach/@BeforeAll methods of that class");
    }
    return c;
  }
}
