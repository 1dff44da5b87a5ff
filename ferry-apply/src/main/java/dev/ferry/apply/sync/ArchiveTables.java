package dev.ferry.apply.sync;

import dev.ferry.journal.TableId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code TABLES} file of an export archive: every table's file, row count, columns (name, exact
 * source type, nullability) and primary key, enough for a load to create a missing table. Lines of
 * tab-separated fields, escaped as in COPY text ({@code \\ \t \n \r}); {@code column} and
 * {@code key} lines belong to the {@code table} line before them:
 *
 * <pre>
 * ferry-tables 1
 * table   public  accounts  0002-public.accounts.copy  2000
 * column  id      bigint    not null
 * column  note    text      null
 * key     id
 * </pre>
 *
 * Stateless.
 */
final class ArchiveTables {
  static final String HEADER = "ferry-tables 1";

  /** A table of the archive: its description and the file holding its rows. */
  record Entry(SourceTable table, String file, long rows) {
  }

  private ArchiveTables() {
  }

  static String format(List<Entry> entries) {
    StringBuilder b = new StringBuilder(HEADER).append('\n');
    for (Entry e : entries) {
      line(b, "table", e.table().id().schema(), e.table().id().name(), e.file(), Long.toString(e.rows()));
      for (SourceTable.SourceColumn c : e.table().columns()) {
        line(b, "column", c.name(), c.sqlType(), c.notNull() ? "not null" : "null");
      }
      if (!e.table().primaryKey().isEmpty()) {
        List<String> key = new ArrayList<>(List.of("key"));
        key.addAll(e.table().primaryKey());
        line(b, key.toArray(String[]::new));
      }
    }
    return b.toString();
  }

  /** @throws IllegalArgumentException naming the line number and what is wrong */
  static List<Entry> parse(String text) {
    List<String> lines = text.lines().toList();
    if (lines.isEmpty() || !lines.getFirst().equals(HEADER)) {
      throw new IllegalArgumentException("line 1: expected '" + HEADER + "'");
    }
    List<Entry> entries = new ArrayList<>();
    List<String> table = null; // the open table line's fields
    List<SourceTable.SourceColumn> columns = new ArrayList<>();
    List<String> key = new ArrayList<>();
    for (int i = 1; i <= lines.size(); i++) {
      List<String> f = List.of("end");
      if (i < lines.size()) {
        byte[] raw = lines.get(i).getBytes(StandardCharsets.UTF_8);
        f = CopyText.parse(raw, raw.length);
      }
      String kind = f.getFirst();
      if ((kind.equals("table") && f.size() == 5) || i == lines.size()) {
        if (table != null) {
          if (columns.isEmpty()) {
            throw new IllegalArgumentException("table " + table.get(1) + "." + table.get(2) + " has no column lines");
          }
          long rows = parseRows(table.get(4), i);
          entries.add(new Entry(new SourceTable(new TableId(table.get(1), table.get(2)), columns, key, rows, 0),
              checkFile(table.get(3), i), rows));
        }
        table = f;
        columns = new ArrayList<>();
        key = new ArrayList<>();
      } else if (kind.equals("column") && f.size() == 4 && table != null
          && (f.get(3).equals("null") || f.get(3).equals("not null"))) {
        columns.add(new SourceTable.SourceColumn(f.get(1), f.get(2), f.get(3).equals("not null")));
      } else if (kind.equals("key") && f.size() > 1 && table != null) {
        key.addAll(f.subList(1, f.size()));
      } else {
        throw new IllegalArgumentException("line " + (i + 1) + ": cannot read '" + lines.get(i) + "'");
      }
    }
    return entries;
  }

  private static String checkFile(String name, int line) {
    if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
      throw new IllegalArgumentException("line " + line + ": '" + name + "' is not a file name in the archive");
    }
    return name;
  }

  private static long parseRows(String text, int line) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("line " + line + ": '" + text + "' is not a row count");
    }
  }

  /** The file name for the {@code index}-th table: numbered, with the name made file-safe. */
  static String fileName(int index, TableId id) {
    String safe = (id.schema() + "." + id.name()).replaceAll("[^A-Za-z0-9_.-]", "_");
    return String.format(Locale.ROOT, "%04d-%s.copy", index, safe.length() > 100 ? safe.substring(0, 100) : safe);
  }

  private static void line(StringBuilder b, String... fields) {
    for (int i = 0; i < fields.length; i++) {
      b.append(i == 0 ? "" : "\t");
      for (char c : fields[i].toCharArray()) {
        switch (c) {
          case '\\' -> b.append("\\\\");
          case '\t' -> b.append("\\t");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          default -> b.append(c);
        }
      }
    }
    b.append('\n');
  }
}
