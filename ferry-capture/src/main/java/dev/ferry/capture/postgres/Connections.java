package dev.ferry.capture.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Opens the source connections. Both kinds pin the session's TimeZone (UTC), DateStyle (ISO),
 * IntervalStyle (postgres) and bytea_output (hex) so the text forms that pgoutput sends are stable
 * whatever the server's defaults: timestamptz text is always in UTC, bytea always {@code \x…}.
 */
final class Connections {
  static final String SESSION_OPTIONS = "-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres"
      + " -c bytea_output=hex";

  private Connections() {
  }

  static Connection normal(PostgresSourceConfig config) throws SQLException {
    Properties props = new Properties();
    props.setProperty("options", SESSION_OPTIONS);
    props.setProperty("ApplicationName", "ferry-" + config.name());
    return pinSession(DriverManager.getConnection(config.jdbcUrl(), props));
  }

  static Connection replication(PostgresSourceConfig config) throws SQLException {
    return replication(config, "ferry-" + config.name(), null);
  }

  /**
   * {@code applicationName} tells capture's walsender apart in {@code pg_stat_activity}; {@code
   * idleWait}, when given (registered), gets the connection's socket (see {@link IdleWait}).
   */
  static Connection replication(PostgresSourceConfig config, String applicationName, IdleWait idleWait)
      throws SQLException {
    Properties props = new Properties();
    if (idleWait != null) {
      props.setProperty("socketFactory", IdleWait.Sockets.class.getName());
      props.setProperty("socketFactoryArg", idleWait.key());
    }
    props.setProperty("options", SESSION_OPTIONS);
    props.setProperty("ApplicationName", applicationName);
    props.setProperty("replication", "database");
    props.setProperty("preferQueryMode", "simple");
    props.setProperty("assumeMinServerVersion", "10");
    props.setProperty("tcpKeepAlive", "true");
    return pinSession(DriverManager.getConnection(config.jdbcUrl(), props));
  }

  /**
   * pgjdbc sends the JVM's time zone as a startup parameter, which PostgreSQL applies after
   * {@code options}; so the settings are made again, explicitly, once connected.
   */
  private static Connection pinSession(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      st.execute("SET DateStyle = 'ISO'");
      st.execute("SET IntervalStyle = 'postgres'");
      st.execute("SET bytea_output = 'hex'");
      // Ferry's own sessions write _ferry and create the publication also on a database Ferry made
      // read-only as a replica ('ferry promote --capture' prepares capture before lifting it).
      st.execute("SET default_transaction_read_only = off");
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
