package dev.ferry.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One throwaway {@link MariaDbServer} shared by the tests of a class: started before the first
 * test, killed and removed after the last. Register it on a static field, as
 * {@link PostgresClusterExtension}; {@link #server()} is safe to call from any thread once started.
 */
public final class MariaDbServerExtension implements BeforeAllCallback, AfterAllCallback {
  private volatile MariaDbServer server;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = MariaDbServer.start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    MariaDbServer s = server;
    server = null;
    if (s != null) {
      s.close();
    }
  }

  /** The running server; fails if the extension is not registered on a static field. */
  public MariaDbServer server() {
    MariaDbServer s = server;
    if (s == null) {
      throw new IllegalStateException("no server: register MariaDbServerExtension with @RegisterExtension on a "
          + "static field, and use it from tests or @BeforeEach/@BeforeAll methods of that class");
    }
    return s;
  }
}
