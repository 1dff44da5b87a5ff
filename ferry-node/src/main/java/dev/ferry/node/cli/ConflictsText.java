package dev.ferry.node.cli;

import dev.ferry.apply.jdbc.ConflictStore.Conflict;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code ferry conflicts} as text: a table of conflicts, or one conflict with its rows. Stateless. */
final class ConflictsText {
  private static final List<String> HEADER = List.of("REPLICA", "ID", "DETECTED", "TYPE", "TABLE", "KEY", "GTID",
      "DONE", "RESOLVED");

  private ConflictsText() {
  }

  /** One line per conflict under a header, columns as wide as their widest value; a line saying so when none. */
  static void table(PrintWriter out, List<Conflict> conflicts) {
    if (conflicts.isEmpty()) {
      out.println("no conflicts");
      return;
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (Conflict c : conflicts) {
      rows.add(List.of(c.replica(), String.valueOf(c.id()), time(c), c.type(), c.table(), c.key(), c.gtid(),
          c.resolution(), c.resolvedAt().map(Instant::toString).orElse("no")));
    }
    int[] widths = new int[HEADER.size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(row.get(i));
        if (i < row.size() - 1) {
          line.append(" ".repeat(widths[i] - row.get(i).length() + 2));
        }
      }
      out.println(line);
    }
  }

  /** Every field of one conflict, a line each. */
  static void one(PrintWriter out, Conflict c) {
    out.printf("conflict %d of replica %s%n", c.id(), c.replica());
    field(out, "detected", time(c));
    field(out, "gtid", c.gtid());
    field(out, "type", c.type());
    field(out, "table", c.table());
    field(out, "key", c.key());
    field(out, "local row", c.localRow().orElse("(none)"));
    field(out, "remote row", c.remoteRow().orElse("(none)"));
    field(out, "done", c.resolution());
    field(out, "resolved", c.resolvedAt().map(at -> at + " by " + c.resolvedBy().orElse("?")).orElse("no"));
    c.resolutionNote().ifPresent(n -> field(out, "note", n));
  }

  private static void field(PrintWriter out, String name, String value) {
    out.printf("  %-11s %s%n", name, value);
  }

  private static String time(Conflict c) {
    return c.detectedAt().map(Instant::toString).orElse("?");
  }
}
