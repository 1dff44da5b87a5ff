package dev.ferry.apply.dialect.postgres;

import dev.ferry.apply.dialect.BulkLoader;
import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.apply.dialect.TypeFamily;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Value;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/** PostgreSQL's bulk path: {@code COPY … FROM STDIN}, in text format (binary from a PostgreSQL source). Stateless. */
public final class PostgresCopy implements BulkLoader {
  static final PostgresCopy INSTANCE = new PostgresCopy();

  private PostgresCopy() {
  }

  @Override
  public void load(Connection c, TableInfo table, List<Column> columns, List<List<Value>> rows) throws SQLException {
    StringBuilder sql = new StringBuilder("COPY ").append(table.sqlName()).append(" (");
    for (int i = 0; i < columns.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(PostgresSyntax.INSTANCE.quote(columns.get(i).name()));
    }
    sql.append(") FROM STDIN");
    StringBuilder data = new StringBuilder();
    for (List<Value> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        if (i > 0) {
          data.append('\t');
        }
        appendCopyValue(data, row.get(i));
      }
      data.append('\n');
    }
    try {
      c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql.toString(), new StringReader(data.toString()));
    } catch (IOException e) {
      // pgjdbc reports a broken connection as an SQLException with its own SQLSTATE; an IOException
      // comes from the reader. No invented SQLSTATE: PostgresErrors reads an I/O cause as a lost connection.
      throw new SQLException("COPY into " + table.sqlName() + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public long loadText(Connection c, String table, List<String> columns, InputStream in)
      throws SQLException, IOException {
    return c.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql(table, columns, false), in, 1 << 16);
  }

  @Override
  public Stream open(Connection c, String table, List<String> columns, boolean binary) throws SQLException {
    CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql(table, columns, binary));
    return new Stream() {
      @Override
      public void write(byte[] data, int offset, int length) throws SQLException {
        in.writeToCopy(data, offset, length);
      }

      @Override
      public long end() throws SQLException {
        return in.endCopy();
      }

      @Override
      public void cancel() {
        try {
          if (in.isActive()) {
            in.cancelCopy();
          }
        } catch (SQLException ignored) {
          // The load already failed; the original error is what matters.
        }
      }
    };
  }

  private static String copySql(String table, List<String> columns, boolean binary) {
    return "COPY " + table + " (" + String.join(", ", columns) + ") FROM STDIN" + (binary ? " (FORMAT binary)" : "");
  }

  @Override
  public boolean takesBinaryFrom(TypeFamily family) {
    return family == TypeFamily.POSTGRES;
  }

  @Override
  public void prepareSeedSession(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      // Safe: the progress row, written after the copy, commits synchronously and so flushes these too.
      st.execute("SET synchronous_commit = off");
    }
  }

  @Override
  public void appendText(StringBuilder out, Value value) {
    appendCopyValue(out, value);
  }

  /** One value in COPY text format: its {@linkplain PostgresValues#inputText input text}, escaped; {@code \\N} for NULL. */
  public static void appendCopyValue(StringBuilder out, Value value) {
    String text = PostgresValues.inputText(value);
    if (text == null) {
      out.append("\\N");
    } else {
      escapeCopy(out, text);
    }
  }

  private static boolean needsEscape(String s) {
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r') {
        return true;
      }
    }
    return false;
  }

  private static void escapeCopy(StringBuilder out, String s) {
    if (!needsEscape(s)) {
      out.append(s); // the common case, in one copy
      return;
    }
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '\\' -> out.append("\\\\");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> out.append(ch);
      }
    }
  }
}
