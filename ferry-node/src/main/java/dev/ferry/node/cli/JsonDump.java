package dev.ferry.node.cli;

import dev.ferry.journal.ChangeCursor;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Tag;
import dev.ferry.journal.model.Value;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code ferry journal dump --json}: one JSON object per transaction per line, documented in
 * {@code docs/journal-format.md}. Values: NULL is {@code null}, text a string, integers numbers,
 * floats numbers (NaN and infinities as strings), binary {@code {"hex": "…"}}, an unchanged
 * TOAST value {@code {"unchanged": true}}.
 */
final class JsonDump {
  private JsonDump() {}

  static void transaction(PrintWriter out, JournalTransaction tx, ChangeCursor changes) throws IOException {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"gtid\":");
    string(b, tx.gtid().toString());
    b.append(",\"commitTime\":");
    string(b, tx.commitTime().toString());
    b.append(",\"schemaSequence\":").append(tx.schemaSequence());
    b.append(",\"sourcePosition\":");
    string(b, tx.sourcePosition().toString());
    b.append(",\"position\":");
    string(b, tx.position().toString());
    b.append(",\"changes\":[");
    boolean first = true;
    while (changes.advance()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      change(b, changes.current());
      if (b.length() > 1 << 16) { // stream big transactions instead of building one huge string
        out.append(b);
        b.setLength(0);
      }
    }
    b.append("]}");
    out.append(b).append('\n');
  }

  private static void change(StringBuilder b, Change change) {
    switch (change) {
      case Change.Insert i -> {
        op(b, "insert", i.table(), i.columns());
        row(b, "row", i.row());
      }
      case Change.Update u -> {
        op(b, "update", u.table(), u.columns());
        b.append(",\"oldImage\":");
        string(b, u.oldImage().name().toLowerCase(java.util.Locale.ROOT));
        if (u.oldImage() != Change.OldImage.NONE) {
          row(b, "old", u.old());
        }
        row(b, "row", u.row());
      }
      case Change.Delete d -> {
        op(b, "delete", d.table(), d.columns());
        b.append(",\"oldImage\":");
        string(b, d.oldImage().name().toLowerCase(java.util.Locale.ROOT));
        row(b, "old", d.old());
      }
      case Change.Truncate t -> {
        b.append("{\"op\":\"truncate\",\"tables\":[");
        for (int i = 0; i < t.tables().size(); i++) {
          b.append(i > 0 ? "," : "");
          string(b, t.tables().get(i).toString());
        }
        b.append("],\"cascade\":").append(t.cascade()).append(",\"restartIdentity\":").append(t.restartIdentity());
      }
      case Change.Ddl d -> {
        b.append("{\"op\":\"ddl\",\"command\":");
        string(b, d.command());
        b.append(",\"searchPath\":");
        string(b, d.searchPath());
        b.append(",\"schemaSequence\":").append(d.schemaSequence());
        if (d.ranInside().isPresent()) {
          b.append(",\"ranInside\":");
          string(b, d.ranInside().get());
        }
      }
      case Change.SequenceAdvance s -> {
        b.append("{\"op\":\"sequence\",\"sequence\":");
        string(b, s.sequence().toString());
        b.append(",\"value\":").append(s.value());
      }
      case Change.Message m -> {
        b.append("{\"op\":\"message\",\"prefix\":");
        string(b, m.prefix());
        b.append(",\"transactional\":").append(m.transactional()).append(",\"hex\":");
        string(b, HexFormat.of().formatHex(m.content()));
        if (Tag.of(m).isPresent()) {
          b.append(",\"tag\":");
          string(b, Tag.of(m).get().name());
        }
      }
    }
    b.append('}');
  }

  private static void op(StringBuilder b, String op, TableId table, List<Column> columns) {
    b.append("{\"op\":");
    string(b, op);
    b.append(",\"table\":");
    string(b, table.toString());
    b.append(",\"columns\":[");
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      b.append(i > 0 ? "," : "").append("{\"name\":");
      string(b, c.name());
      b.append(",\"type\":");
      string(b, c.typeName());
      if (c.typeOid() != 0) {
        b.append(",\"oid\":").append(c.typeOid());
      }
      b.append('}');
    }
    b.append(']');
  }

  private static void row(StringBuilder b, String name, List<Value> values) {
    b.append(",\"").append(name).append("\":[");
    for (int i = 0; i < values.size(); i++) {
      b.append(i > 0 ? "," : "");
      value(b, values.get(i));
    }
    b.append(']');
  }

  static void value(StringBuilder b, Value v) {
    switch (v) {
      case Value.Null n -> b.append("null");
      case Value.Unchanged u -> b.append("{\"unchanged\":true}");
      case Value.Text t -> string(b, t.value());
      case Value.Int64 i -> b.append(i.value());
      case Value.Float64 f -> {
        if (Double.isFinite(f.value())) {
          b.append(f.value());
        } else {
          string(b, Double.toString(f.value()));
        }
      }
      case Value.Bytes bytes -> {
        b.append("{\"hex\":");
        string(b, HexFormat.of().formatHex(bytes.value()));
        b.append('}');
      }
    }
  }

  static void string(StringBuilder b, String s) {
    dev.ferry.node.Json.string(b, s);
  }
}
