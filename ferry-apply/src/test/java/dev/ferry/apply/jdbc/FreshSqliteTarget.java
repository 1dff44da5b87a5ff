package dev.ferry.apply.jdbc;

import dev.ferry.apply.ConnectionSource;
import dev.ferry.testkit.SqliteDatabase;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh SQLite database as the apply target of each test, removed after it. Register it on an
 * instance field with {@code @RegisterExtension}.
 */
final class FreshSqliteTarget implements BeforeEachCallback, AfterEachCallback {
  private SqliteDatabase db;

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    db = SqliteDatabase.create();
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    db.close();
  }

  /** The current test's database. */
  ConnectionSource target() {
    return db::connect;
  }
}
