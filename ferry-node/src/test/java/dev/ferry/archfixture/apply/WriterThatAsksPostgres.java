package dev.ferry.archfixture.apply;

import dev.ferry.archfixture.apply.dialect.postgres.PostgresPart;

/** Fixture for ModuleArrowsTest: apply code outside the dialect packages that names a database's part. */
public final class WriterThatAsksPostgres {
  public String table(String name) {
    return PostgresPart.quote(name);
  }
}
