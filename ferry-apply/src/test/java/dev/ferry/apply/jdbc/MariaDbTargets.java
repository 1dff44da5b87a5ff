package dev.ferry.apply.jdbc;

import dev.ferry.apply.dialect.mariadb.MariaDbDialect;
import dev.ferry.testkit.MariaDbServerExtension;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/** A fresh database per test on a class's MariaDB server, its URL carrying the dialect's driver properties as the node adds them. */
final class MariaDbTargets {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private MariaDbTargets() {
  }

  /** Creates database {@code prefix}N; its URL with {@code urlExtra} (e.g. {@code &sessionVariables=…}) appended. */
  static String fresh(MariaDbServerExtension mariadb, String prefix, String urlExtra) throws SQLException {
    StringBuilder u = new StringBuilder(mariadb.server().createDatabase(prefix + DATABASES.incrementAndGet()))
        .append(urlExtra);
    MariaDbDialect.INSTANCE.driverProperties().forEach((k, v) -> u.append('&').append(k).append('=').append(v));
    return u.toString();
  }
}
