package dev.ferry.node.cli;

import dev.ferry.journal.ChangeCursor;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Tag;
import dev.ferry.journal.model.Value;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

/** {@code ferry journal dump}: a transaction header line, then one indented line per change. */
final class TextDump {
  private TextDump() {}

  static void transaction(PrintWriter out, JournalTransaction tx, ChangeCursor changes) throws IOException {
    out.printf("%s  commit %s  schema %d  source %s  at %s  %d change(s)%n", tx.gtid(), tx.commitTime(),
        tx.schemaSequence(), tx.sourcePosition(), tx.position(), tx.changeCount());
    while (changes.advance()) {
      out.append("  ").append(describe(changes.current())).append('\n');
    }
  }

  private static String describe(Change change) {
    return switch (change) {
      case Change.Insert i -> "INSERT " + i.table() + " " + row(i.row());
      case Change.Update u -> "UPDATE " + u.table() + (u.oldImage() == Change.OldImage.NONE ? "" : " old " + row(u.old()))
          + " new " + row(u.row());
      case Change.Delete d -> "DELETE " + d.table() + " old " + row(d.old());
      case Change.Truncate t -> "TRUNCATE " + t.tables() + (t.cascade() ? " CASCADE" : "")
          + (t.restartIdentity() ? " RESTART IDENTITY" : "");
      case Change.Ddl d -> "DDL (schema " + d.schemaSequence() + ", search_path " + d.searchPath()
          + d.ranInside().map(r -> ", not replayable, ran inside: " + r).orElse("") + ") " + d.command();
      case Change.SequenceAdvance s -> "SEQUENCE " + s.sequence() + " = " + s.value();
      case Change.Message m when Tag.of(m).isPresent() -> "TAG " + Tag.of(m).get();
      case Change.Message m -> "MESSAGE " + m.prefix() + (m.transactional() ? " (transactional) " : " ")
          + m.content().length + " bytes";
    };
  }

  private static String row(List<Value> values) {
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < values.size(); i++) {
      b.append(i > 0 ? ", " : "");
      JsonDump.value(b, values.get(i));
    }
    return b.append(')').toString();
  }
}
