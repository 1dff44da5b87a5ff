package dev.ferry.capture.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens the source connections. Both kinds pin the session's TimeZone (UTC), DateStyle (ISO) and
 * IntervalStyle (postgres) so the text forms that pgoutput sends are stable whatever the server's
 * defaults: timestamptz text is always in UTC.
 */
final class Connections {
  static final String SESSION_OPTIONS = "-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres";

  private Connections() {
  }

  static Connection normal(PostgresSourceConfig config) throws SQLException {
    Properties props = new Properties();
    props.setProperty("options", SESSION_OPTIONS);
    props.setProperty("ApplicationName", "ferry-" + config.name());
    return DriverManager.getConnection(config.jdbcUrl(), props);
  }

  static Connection replication(PostgresSourceConfig config) throws SQLException {
    Properties props = new Properties();
    props.setProperty("options", SESSION_OPTIONS);
    props.setProperty("ApplicationName", "ferry-" + config.name());
    props.setProperty("replication", "database");
    props.setProperty("preferQueryMode", "simple");
    props.setProperty("assumeMinServerVersion", "10");
    props.setProperty("tcpKeepAlive", "true");
    return DriverManager.getConnection(config.jdbcUrl(), props);
  }

  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
