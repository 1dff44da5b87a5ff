package dev.ferry.capture.binlog;

import dev.ferry.journal.model.Change;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a MariaDB DDL statement from the binlog means for the journal. {@code TRUNCATE} of a
 * captured table is a {@link Change.Truncate}. {@code CREATE}, {@code ALTER}, {@code DROP} and
 * {@code RENAME} of a captured table, {@code CREATE}/{@code DROP INDEX … ON} one, and {@code CREATE},
 * {@code ALTER} and {@code DROP SEQUENCE} of a sequence {@code source.tables} accepts, land as a
 * {@link Change.Ddl} at their place in the stream with the schema sequence advanced, marked as not
 * replayable as given: its text is MariaDB's, which a MariaDB target maps (its database moved to
 * the replica's) and other targets do not, so they stop there with advice (run the equivalent DDL
 * by hand, then {@code skip-ddl}), as for PostgreSQL DDL that ran inside another statement. DDL of
 * other tables (and statements Ferry does not recognise) adds nothing. Stateless.
 */
final class DdlStatements {
  /**
   * The table (or sequence) a statement names first: {@code ALTER [ONLINE|IGNORE] TABLE [IF EXISTS] [db.]t},
   * {@code CREATE SEQUENCE s}, {@code TRUNCATE [TABLE] t}. Only TRUNCATE may leave out the word TABLE:
   * without it {@code CREATE VIEW v} would read as DDL of a table named VIEW.
   */
  private static final Pattern TABLE = Pattern.compile("(?is)^(?:(TRUNCATE)(?:\\s+TABLE)?|(?:CREATE|ALTER|DROP|RENAME)"
      + "(?:\\s+(?:OR\\s+REPLACE|TEMPORARY|ONLINE|IGNORE))*\\s+(?:TABLE|SEQUENCE))\\s+(?:IF\\s+(?:NOT\\s+)?EXISTS\\s+)?"
      + "((?:`(?:[^`]|``)+`|[\\w$]+)(?:\\s*\\.\\s*(?:`(?:[^`]|``)+`|[\\w$]+))?)");
  /** {@code CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX i ON [db.]t} and {@code DROP INDEX i ON [db.]t}: the table. */
  private static final Pattern INDEX = Pattern.compile("(?is)^(?:CREATE\\s+(?:OR\\s+REPLACE\\s+)?"
      + "(?:UNIQUE\\s+|FULLTEXT\\s+|SPATIAL\\s+)?|DROP\\s+)INDEX\\s+(?:IF\\s+(?:NOT\\s+)?EXISTS\\s+)?"
      + "(?:`(?:[^`]|``)+`|[\\w$]+)\\s+(?:USING\\s+\\w+\\s+)?ON\\s+"
      + "((?:`(?:[^`]|``)+`|[\\w$]+)(?:\\s*\\.\\s*(?:`(?:[^`]|``)+`|[\\w$]+))?)");
  static final String RAN_INSIDE = "MariaDB (its DDL text is replayed on MariaDB targets only)";

  private DdlStatements() {
  }

  static Optional<Change> change(String sql, String database, BinlogCatalog catalog, LongSupplier nextSchemaSequence) {
    String statement = withoutLeadingComments(sql);
    Matcher index = INDEX.matcher(statement);
    boolean onIndex = index.find();
    Matcher m = TABLE.matcher(statement);
    if (!onIndex && !m.find()) {
      return Optional.empty();
    }
    String[] name = split(onIndex ? index.group(1) : m.group(2));
    String db = name.length == 2 ? name[0] : database == null ? "" : database;
    String table = name[name.length - 1];
    if (!catalog.captures(db, table)) {
      return Optional.empty();
    }
    if (!onIndex && m.group(1) != null) {
      return Optional.of(new Change.Truncate(List.of(BinlogCatalog.tableId(table)), false, false));
    }
    return Optional.of(new Change.Ddl(sql, db, nextSchemaSequence.getAsLong(), Optional.of(RAN_INSIDE)));
  }

  /**
   * {@code sql} from its first token on: MariaDB keeps a statement's comments in the binlog, so
   * {@code /* why *\/ ALTER TABLE …} (a migration tool's habit) must not hide the DDL from the
   * patterns. Executable comments ({@code /*!…*\/}, {@code /*M!…*\/}) hold SQL and are kept.
   */
  static String withoutLeadingComments(String sql) {
    int i = 0;
    int n = sql.length();
    while (i < n) {
      if (Character.isWhitespace(sql.charAt(i))) {
        i++;
      } else if (sql.startsWith("/*", i) && !sql.startsWith("/*!", i) && !sql.startsWith("/*M!", i)) {
        int end = sql.indexOf("*/", i + 2);
        if (end < 0) {
          return sql;
        }
        i = end + 2;
      } else if (sql.startsWith("#", i) || sql.startsWith("-- ", i) || sql.startsWith("--\t", i)
          || sql.startsWith("--\n", i)) {
        int end = sql.indexOf('\n', i);
        i = end < 0 ? n : end + 1;
      } else {
        break;
      }
    }
    return sql.substring(i);
  }

  private static String[] split(String qualified) {
    StringBuilder part = new StringBuilder();
    java.util.List<String> parts = new java.util.ArrayList<>();
    boolean quoted = false;
    for (int i = 0; i < qualified.length(); i++) {
      char c = qualified.charAt(i);
      if (c == '`') {
        if (quoted && i + 1 < qualified.length() && qualified.charAt(i + 1) == '`') {
          part.append('`');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (c == '.' && !quoted) {
        parts.add(part.toString().strip());
        part.setLength(0);
      } else if (quoted || !Character.isWhitespace(c)) {
        part.append(c);
      }
    }
    parts.add(part.toString().strip());
    return parts.toArray(String[]::new);
  }
}
