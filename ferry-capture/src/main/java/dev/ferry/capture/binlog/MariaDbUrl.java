package dev.ferry.capture.binlog;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the binlog connection needs from a {@code jdbc:mariadb://host[:port]/database?user=u&password=p}
 * URL (the JDBC connections use the URL itself). Immutable.
 */
record MariaDbUrl(String host, int port, String database, String user, String password) {
  private static final Pattern URL = Pattern.compile("jdbc:mariadb://([^/:?,]+)(?::(\\d+))?/([^?]*)(?:\\?(.*))?");

  /** Parses {@code url}; the message names the setting when it lacks a host or a database. */
  static MariaDbUrl parse(String source, String url) throws dev.ferry.capture.CaptureException {
    Matcher m = URL.matcher(url);
    if (!m.matches() || m.group(3).isEmpty()) {
      throw new dev.ferry.capture.CaptureException(source, "source.url must read jdbc:mariadb://host[:port]/database"
          + "[?user=...&password=...] with one host and the database to capture");
    }
    String user = "root";
    String password = "";
    if (m.group(4) != null) {
      for (String kv : m.group(4).split("&")) {
        int eq = kv.indexOf('=');
        String k = eq < 0 ? kv : kv.substring(0, eq);
        String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
        if (k.equals("user")) {
          user = v;
        } else if (k.equals("password")) {
          password = v;
        }
      }
    }
    int port = m.group(2) == null ? 3306 : Integer.parseInt(m.group(2));
    return new MariaDbUrl(m.group(1), port, URLDecoder.decode(m.group(3), StandardCharsets.UTF_8), user, password);
  }

  @Override
  public String toString() {
    return "mariadb://" + host + ":" + port + "/" + database;
  }
}
