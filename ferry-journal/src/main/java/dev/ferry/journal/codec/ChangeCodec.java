package dev.ferry.journal.codec;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.LogicalType;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Encodes and decodes change lists, the body of TX and CHUNK records (see
 * {@code docs/journal-format.md}). Within one record, tables and column lists are written once and
 * then referred to by index, so a chunk of ten thousand rows of one table names the table once.
 * Not thread-safe: one instance per thread or per record.
 */
final class ChangeCodec {
  private static final int INSERT = 1;
  private static final int UPDATE = 2;
  private static final int DELETE = 3;
  private static final int TRUNCATE = 4;
  private static final int DDL = 5;
  private static final int SEQUENCE = 6;
  private static final int MESSAGE = 7;
  /** A DDL that is not replayable (format version 2): a DDL's fields, then the statement it ran inside. */
  private static final int DDL_INSIDE = 8;

  private static final int NULL = 0;
  private static final int TEXT = 1;
  private static final int INT64 = 2;
  private static final int FLOAT64 = 3;
  private static final int BYTES = 4;
  private static final int UNCHANGED = 5;

  private static final Change.OldImage[] OLD_IMAGES = Change.OldImage.values();

  /** Writes changes; remembers tables and column lists until {@link #reset}. */
  static final class Encoder {
    private final Map<TableId, Integer> tables = new HashMap<>();
    private final Map<List<Column>, Integer> columnLists = new IdentityHashMap<>();

    void reset() {
      tables.clear();
      columnLists.clear();
    }

    void writeChanges(ByteSink out, List<? extends Change> changes) {
      out.putVarLong(changes.size());
      for (Change change : changes) {
        write(out, change);
      }
    }

    private void write(ByteSink out, Change change) {
      switch (change) {
        case Change.Insert c -> {
          out.putByte(INSERT);
          writeRelation(out, c.table(), c.columns());
          writeValues(out, c.row());
        }
        case Change.Update c -> {
          out.putByte(UPDATE);
          writeRelation(out, c.table(), c.columns());
          out.putByte(c.oldImage().ordinal());
          if (c.oldImage() != Change.OldImage.NONE) {
            writeValues(out, c.old());
          }
          writeValues(out, c.row());
        }
        case Change.Delete c -> {
          out.putByte(DELETE);
          writeRelation(out, c.table(), c.columns());
          out.putByte(c.oldImage().ordinal());
          writeValues(out, c.old());
        }
        case Change.Truncate c -> {
          out.putByte(TRUNCATE);
          out.putByte((c.cascade() ? 1 : 0) | (c.restartIdentity() ? 2 : 0));
          out.putVarLong(c.tables().size());
          for (TableId table : c.tables()) {
            writeTable(out, table);
          }
        }
        case Change.Ddl c -> {
          out.putByte(c.replayable() ? DDL : DDL_INSIDE);
          out.putString(c.command());
          out.putString(c.searchPath());
          out.putLong(c.schemaSequence());
          c.ranInside().ifPresent(out::putString);
        }
        case Change.SequenceAdvance c -> {
          out.putByte(SEQUENCE);
          writeTable(out, c.sequence());
          out.putLong(c.value());
        }
        case Change.Message c -> {
          out.putByte(MESSAGE);
          out.putString(c.prefix());
          out.putByte(c.transactional() ? 1 : 0);
          out.putBytes(c.content());
        }
      }
    }

    private void writeRelation(ByteSink out, TableId table, List<Column> columns) {
      writeTable(out, table);
      Integer known = columnLists.get(columns);
      if (known != null) {
        out.putVarLong(known + 1L);
        return;
      }
      out.putVarLong(0);
      columnLists.put(columns, columnLists.size());
      out.putVarLong(columns.size());
      for (Column column : columns) {
        out.putString(column.name());
        out.putString(column.typeName());
        out.putInt(column.typeOid());
        out.putByte(column.logicalType().code());
      }
    }

    private void writeTable(ByteSink out, TableId table) {
      Integer known = tables.get(table);
      if (known != null) {
        out.putVarLong(known + 1L);
        return;
      }
      out.putVarLong(0);
      tables.put(table, tables.size());
      out.putString(table.schema());
      out.putString(table.name());
    }

    private static void writeValues(ByteSink out, List<Value> values) {
      out.putVarLong(values.size());
      for (Value value : values) {
        writeValue(out, value);
      }
    }

    private static void writeValue(ByteSink out, Value value) {
      switch (value) {
        case Value.Null v -> out.putByte(NULL);
        case Value.Unchanged v -> out.putByte(UNCHANGED);
        case Value.Text v -> {
          out.putByte(TEXT);
          out.putString(v.value());
        }
        case Value.Int64 v -> {
          out.putByte(INT64);
          out.putLong(v.value());
        }
        case Value.Float64 v -> {
          out.putByte(FLOAT64);
          out.putLong(v.bits());
        }
        case Value.Bytes v -> {
          out.putByte(BYTES);
          out.putBytes(v.value());
        }
      }
    }
  }

  /**
   * Reads changes of one record; tables and column lists read earlier in the record are shared.
   * Row values stay encoded until asked for ({@link EncodedValues}), so the source must read a
   * buffer of the record's own.
   */
  static final class Decoder {
    private final List<TableId> tables = new ArrayList<>();
    private final List<List<Column>> columnLists = new ArrayList<>();
    private final int version;

    /** A decoder of records in format {@code version} (the version of the segment holding them). */
    Decoder(int version) {
      this.version = version;
    }

    /**
     * Reads one change.
     *
     * @throws ByteSource.MalformedRecordException for bytes that do not make a valid change,
     *     including fields the model refuses (an empty table name, a row of the wrong width)
     */
    Change read(ByteSource in) {
      try {
        return readUnchecked(in);
      } catch (IllegalArgumentException e) {
        throw new ByteSource.MalformedRecordException("change does not decode: " + e.getMessage());
      }
    }

    private Change readUnchecked(ByteSource in) {
      int kind = in.getByte();
      return switch (kind) {
        case INSERT -> {
          TableId table = readTable(in);
          yield new Change.Insert(table, readColumns(in), readValues(in));
        }
        case UPDATE -> {
          TableId table = readTable(in);
          List<Column> columns = readColumns(in);
          Change.OldImage oldImage = oldImage(in);
          List<Value> old = oldImage == Change.OldImage.NONE ? List.of() : readValues(in);
          yield new Change.Update(table, columns, oldImage, old, readValues(in));
        }
        case DELETE -> {
          TableId table = readTable(in);
          List<Column> columns = readColumns(in);
          yield new Change.Delete(table, columns, oldImage(in), readValues(in));
        }
        case TRUNCATE -> readTruncate(in);
        case DDL -> new Change.Ddl(in.getString(), in.getString(), in.getLong());
        case DDL_INSIDE -> new Change.Ddl(in.getString(), in.getString(), in.getLong(), Optional.of(in.getString()));
        case SEQUENCE -> new Change.SequenceAdvance(readTable(in), in.getLong());
        case MESSAGE -> new Change.Message(in.getString(), in.getByte() == 1, in.getBytes());
        default -> throw new ByteSource.MalformedRecordException("unknown change kind " + kind);
      };
    }

    private Change.Truncate readTruncate(ByteSource in) {
      int flags = in.getByte();
      int n = count(in);
      List<TableId> truncated = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        truncated.add(readTable(in));
      }
      return new Change.Truncate(truncated, (flags & 1) != 0, (flags & 2) != 0);
    }

    private static Change.OldImage oldImage(ByteSource in) {
      int ordinal = in.getByte();
      if (ordinal >= OLD_IMAGES.length) {
        throw new ByteSource.MalformedRecordException("unknown old image kind " + ordinal);
      }
      return OLD_IMAGES[ordinal];
    }

    private TableId readTable(ByteSource in) {
      long ref = in.getVarLong();
      if (ref == 0) {
        TableId table = new TableId(in.getString(), in.getString());
        tables.add(table);
        return table;
      }
      if (ref > tables.size()) {
        throw new ByteSource.MalformedRecordException("table reference " + ref + " of " + tables.size());
      }
      return tables.get((int) ref - 1);
    }

    private List<Column> readColumns(ByteSource in) {
      long ref = in.getVarLong();
      if (ref == 0) {
        int n = count(in);
        Column[] columns = new Column[n];
        for (int i = 0; i < n; i++) {
          columns[i] = readColumn(in);
        }
        List<Column> list = List.of(columns);
        columnLists.add(list);
        return list;
      }
      if (ref > columnLists.size()) {
        throw new ByteSource.MalformedRecordException("column list reference " + ref + " of " + columnLists.size());
      }
      return columnLists.get((int) ref - 1);
    }

    /** Formats 1 and 2 stored no logical type: derived as apply derived it then, from OID and name. */
    private Column readColumn(ByteSource in) {
      String name = in.getString();
      String typeName = in.getString();
      int oid = in.getInt();
      if (version < 3) {
        return new Column(name, typeName, oid, LogicalType.ofPostgres(oid, typeName));
      }
      int code = in.getByte();
      LogicalType type = LogicalType.ofCode(code).orElseThrow(() -> new ByteSource.MalformedRecordException(
          "unknown logical type " + code + " of column " + name));
      return new Column(name, typeName, oid, type);
    }

    private static List<Value> readValues(ByteSource in) {
      return EncodedValues.read(in);
    }

    /** Checks one value's tag and length and moves past it, decoding nothing. */
    static void skipValue(ByteSource in) {
      int tag = in.getByte();
      switch (tag) {
        case NULL, UNCHANGED -> {
        }
        case TEXT, BYTES -> in.skip(in.getLength());
        case INT64, FLOAT64 -> in.skip(8);
        default -> throw new ByteSource.MalformedRecordException("unknown value tag " + tag);
      }
    }

    static Value readValue(ByteSource in) {
      int tag = in.getByte();
      return switch (tag) {
        case NULL -> Value.NULL;
        case UNCHANGED -> Value.UNCHANGED;
        case TEXT -> new Value.Text(in.getString());
        case INT64 -> new Value.Int64(in.getLong());
        case FLOAT64 -> new Value.Float64(Double.longBitsToDouble(in.getLong()));
        case BYTES -> new Value.Bytes(in.getBytes());
        default -> throw new ByteSource.MalformedRecordException("unknown value tag " + tag);
      };
    }

    static int count(ByteSource in) {
      long n = in.getVarLong();
      if (n > in.remaining()) {
        throw new ByteSource.MalformedRecordException("count " + n + " exceeds the " + in.remaining() + " bytes left");
      }
      return (int) n;
    }
  }
}
