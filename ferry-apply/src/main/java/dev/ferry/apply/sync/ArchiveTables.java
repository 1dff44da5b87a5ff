package dev.ferry.apply.sync;

import dev.ferry.journal.model.TableId;
import dev.ferry.journal.snapshot.SourceSequence;
import dev.ferry.journal.snapshot.SourceTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code TABLES} file of an export archive: every table's file, row count, columns (name, exact
 * source type, nullability), primary key and the sequences behind its serial and identity columns,
 * enough for a load to create a missing table and its sequences. Lines of tab-separated fields,
 * escaped as in COPY text ({@code \\ \t \n \r}); {@code column}, {@code key} and
 * {@code sequence} lines belong to the {@code table} line before them:
 *
 * <pre>
 * ferry-tables 2
 * table     public  accounts  0002-public.accounts.copy  2000
 * column    id      bigint    not null
 * column    note    text      null
 * key       id
 * sequence  id  serial  public  accounts_id_seq  bigint  1  1  1  9223372036854775807  1  no-cycle  2000  called
 * </pre>
 *
 * A {@code sequence} line: column, kind ({@code serial}, {@code always}, {@code by-default}),
 * schema, name, type, start, increment, min, max, cache, {@code cycle}/{@code no-cycle}, last value,
 * {@code called}/{@code not-called}. Version 2 added it; version 1 files (no sequences) are read
 * too. Stateless.
 */
final class ArchiveTables {
  static final String HEADER = "ferry-tables 2";
  private static final String HEADER_V1 = "ferry-tables 1";

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
      for (SourceSequence s : e.table().sequences()) {
        line(b, "sequence", s.column(), s.kind().word(), s.sequence().schema(), s.sequence().name(), s.dataType(),
            Long.toString(s.start()), Long.toString(s.increment()), Long.toString(s.min()), Long.toString(s.max()),
            Long.toString(s.cache()), s.cycle() ? "cycle" : "no-cycle", Long.toString(s.lastValue()),
            s.isCalled() ? "called" : "not-called");
      }
    }
    return b.toString();
  }

  /** @throws IllegalArgumentException naming the line number and what is wrong */
  static List<Entry> parse(String text) {
    List<String> lines = text.lines().toList();
    if (lines.isEmpty() || !(lines.getFirst().equals(HEADER) || lines.getFirst().equals(HEADER_V1))) {
      throw new IllegalArgumentException("line 1: expected '" + HEADER + "'");
    }
    List<Entry> entries = new ArrayList<>();
    List<String> table = null; // the open table line's fields
    List<SourceTable.SourceColumn> columns = new ArrayList<>();
    List<String> key = new ArrayList<>();
    List<SourceSequence> sequences = new ArrayList<>();
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
          entries.add(new Entry(new SourceTable(new TableId(table.get(1), table.get(2)), columns, key, rows, 0,
              sequences), checkFile(table.get(3), i), rows));
        }
        table = f;
        columns = new ArrayList<>();
        key = new ArrayList<>();
        sequences = new ArrayList<>();
      } else if (kind.equals("column") && f.size() == 4 && table != null
          && (f.get(3).equals("null") || f.get(3).equals("not null"))) {
        columns.add(new SourceTable.SourceColumn(f.get(1), f.get(2), f.get(3).equals("not null")));
      } else if (kind.equals("key") && f.size() > 1 && table != null) {
        key.addAll(f.subList(1, f.size()));
      } else if (kind.equals("sequence") && f.size() == 14 && table != null) {
        sequences.add(sequence(f, i + 1));
      } else {
        throw new IllegalArgumentException("line " + (i + 1) + ": cannot read '" + lines.get(i) + "'");
      }
    }
    return entries;
  }

  private static SourceSequence sequence(List<String> f, int line) {
    try {
      return new SourceSequence(f.get(1), new TableId(f.get(3), f.get(4)), SourceSequence.Kind.ofWord(f.get(2)),
          f.get(5), Long.parseLong(f.get(6)), Long.parseLong(f.get(7)), Long.parseLong(f.get(8)),
          Long.parseLong(f.get(9)), Long.parseLong(f.get(10)), flag(f.get(11), "cycle", line),
          Long.parseLong(f.get(12)), flag(f.get(13), "called", line));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("line " + line + ": cannot read the sequence of column '" + f.get(1) + "': "
          + e.getMessage());
    }
  }

  private static boolean flag(String word, String yes, int line) {
    if (word.equals(yes) || word.equals("no-" + yes) || word.equals("not-" + yes)) {
      return word.equals(yes);
    }
    throw new IllegalArgumentException("line " + line + ": '" + word + "' is neither " + yes + " nor not");
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
