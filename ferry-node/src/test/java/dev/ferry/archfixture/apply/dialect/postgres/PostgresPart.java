package dev.ferry.archfixture.apply.dialect.postgres;

/** Fixture for ModuleArrowsTest: stands for a PostgreSQL dialect part. */
public final class PostgresPart {
  public static String quote(String name) {
    return '"' + name + '"';
  }
}
