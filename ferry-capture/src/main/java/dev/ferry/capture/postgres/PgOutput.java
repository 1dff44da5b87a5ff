package dev.ferry.capture.postgres;

import dev.ferry.journal.model.Value;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages of PostgreSQL's {@code pgoutput} plugin, protocol versions 1 and 2, and their decoder:
 * the one class that knows the byte format ("Logical Replication Message Formats" in the
 * PostgreSQL documentation). Integers are big-endian; strings are NUL-terminated UTF-8; LSNs and
 * timestamps (microseconds since 2000-01-01) are Int64.
 *
 * <pre>
 * 'B' finalLsn:8 commitTime:8 xid:4
 * 'C' flags:1 commitLsn:8 endLsn:8 commitTime:8
 * 'R' relId:4 namespace:str name:str replIdent:1 ncols:2 { flags:1 name:str typeOid:4 typmod:4 }*
 * 'Y' typeOid:4 namespace:str name:str
 * 'I' relId:4 'N' tuple
 * 'U' relId:4 ['K'|'O' tuple] 'N' tuple
 * 'D' relId:4 ('K'|'O') tuple
 * 'T' nrels:4 options:1 (1 = CASCADE, 2 = RESTART IDENTITY) relId:4*
 * 'M' flags:1 (1 = transactional) lsn:8 prefix:str length:4 content:length
 * 'O' originLsn:8 name:str
 * tuple = ncols:2 { 'n' | 'u' | 't' length:4 text:length }*
 *
 * protocol version 2 with streaming on, for transactions still in progress:
 * 'S' xid:4 firstSegment:1             stream start; until 'E', every R Y I U D T M carries
 * 'E'                                  stream stop     xid:4 (of the (sub)transaction) after its tag
 * 'c' xid:4 flags:1 commitLsn:8 endLsn:8 commitTime:8   stream commit
 * 'A' xid:4 subxid:4                   stream abort (subxid = xid: the whole transaction)
 * </pre>
 *
 * <p>Decoded tuple values are {@link Value#NULL} ('n'), {@link Value#UNCHANGED} ('u', an unchanged
 * TOAST value) or {@link Value.Text} ('t'). Stateless and thread-safe.
 */
final class PgOutput {
  private PgOutput() {
  }

  sealed interface Message {
  }

  record Begin(long finalLsn, long commitTimeMicros, int xid) implements Message {
  }

  record Commit(long commitLsn, long endLsn, long commitTimeMicros) implements Message {
  }

  record RelColumn(boolean key, String name, int typeOid, int typmod) {
  }

  record Relation(int relId, String namespace, String name, char replicaIdentity, List<RelColumn> columns)
      implements Message {
  }

  record Type(int typeOid, String namespace, String name) implements Message {
  }

  record Insert(int relId, List<Value> row) implements Message {
  }

  /** {@code oldKind} is 'K' (key), 'O' (whole old row) or 0 (none; {@code old} is empty). */
  record Update(int relId, char oldKind, List<Value> old, List<Value> row) implements Message {
  }

  record Delete(int relId, char oldKind, List<Value> old) implements Message {
  }

  record Truncate(List<Integer> relIds, boolean cascade, boolean restartIdentity) implements Message {
  }

  record LogicalMessage(boolean transactional, long lsn, String prefix, byte[] content) implements Message {
  }

  record Origin(long lsn, String name) implements Message {
  }

  record StreamStart(int xid, boolean first) implements Message {
  }

  record StreamStop() implements Message {
  }

  record StreamCommit(int xid, long commitLsn, long endLsn, long commitTimeMicros) implements Message {
  }

  record StreamAbort(int xid, int subxid) implements Message {
  }

  /** A change (or relation, type, message) inside a stream block, made by (sub)transaction {@code xid}. */
  record InStream(int xid, Message message) implements Message {
  }

  /**
   * Decodes one message.
   *
   * @throws IllegalArgumentException naming the message type and offset when the bytes are not
   *     pgoutput protocol 1
   */
  static Message decode(ByteBuffer in) {
    return decode(in, false);
  }

  /**
   * Decodes one message; {@code inStreamBlock}: between a Stream Start and its Stop, where the
   * messages that carry one start with an xid (they come back as {@link InStream}).
   */
  static Message decode(ByteBuffer in, boolean inStreamBlock) {
    byte tag = in.get();
    try {
      if (inStreamBlock && "RYIUDTM".indexOf(tag) >= 0) {
        int xid = in.getInt();
        return new InStream(xid, decodeTagged(tag, in));
      }
      return switch (tag) {
        case 'S' -> new StreamStart(in.getInt(), in.get() == 1);
        case 'E' -> new StreamStop();
        case 'c' -> {
          int xid = in.getInt();
          in.get();
          yield new StreamCommit(xid, in.getLong(), in.getLong(), in.getLong());
        }
        case 'A' -> new StreamAbort(in.getInt(), in.getInt());
        default -> decodeTagged(tag, in);
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("bad pgoutput message '" + (char) tag + "' at byte " + in.position()
          + " of " + in.limit() + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
    }
  }

  private static Message decodeTagged(byte tag, ByteBuffer in) {
    return switch (tag) {
      case 'B' -> new Begin(in.getLong(), in.getLong(), in.getInt());
      case 'C' -> {
        in.get();
        yield new Commit(in.getLong(), in.getLong(), in.getLong());
      }
      case 'R' -> relation(in);
      case 'Y' -> new Type(in.getInt(), string(in), string(in));
      case 'I' -> {
        int rel = in.getInt();
        expect(in, 'N');
        yield new Insert(rel, tuple(in));
      }
      case 'U' -> update(in);
      case 'D' -> {
        int rel = in.getInt();
        char kind = (char) in.get();
        yield new Delete(rel, kind, tuple(in));
      }
      case 'T' -> truncate(in);
      case 'M' -> message(in);
      case 'O' -> new Origin(in.getLong(), string(in));
      default -> throw new IllegalArgumentException("unknown message type");
    };
  }

  private static Relation relation(ByteBuffer in) {
    int relId = in.getInt();
    String namespace = string(in);
    String name = string(in);
    char ident = (char) in.get();
    int count = in.getShort() & 0xFFFF;
    List<RelColumn> columns = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      boolean key = (in.get() & 1) != 0;
      columns.add(new RelColumn(key, string(in), in.getInt(), in.getInt()));
    }
    return new Relation(relId, namespace, name, ident, columns);
  }

  private static Update update(ByteBuffer in) {
    int relId = in.getInt();
    char kind = (char) in.get();
    if (kind == 'K' || kind == 'O') {
      List<Value> old = tuple(in);
      expect(in, 'N');
      return new Update(relId, kind, old, tuple(in));
    }
    if (kind != 'N') {
      throw new IllegalArgumentException("expected 'K', 'O' or 'N' in UPDATE, got '" + kind + "'");
    }
    return new Update(relId, (char) 0, List.of(), tuple(in));
  }

  private static Truncate truncate(ByteBuffer in) {
    int count = in.getInt();
    int options = in.get();
    List<Integer> rels = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      rels.add(in.getInt());
    }
    return new Truncate(rels, (options & 1) != 0, (options & 2) != 0);
  }

  private static LogicalMessage message(ByteBuffer in) {
    boolean transactional = (in.get() & 1) != 0;
    long lsn = in.getLong();
    String prefix = string(in);
    byte[] content = new byte[in.getInt()];
    in.get(content);
    return new LogicalMessage(transactional, lsn, prefix, content);
  }

  /**
   * A tuple's values as an immutable list (so {@link dev.ferry.journal.model.Change}'s copy is free). Text
   * is decoded straight from the message's array: one copy into the String, none before it.
   */
  private static List<Value> tuple(ByteBuffer in) {
    int count = in.getShort() & 0xFFFF;
    byte[] array = in.array();
    int base = in.arrayOffset();
    int limit = in.limit();
    int pos = in.position();
    Value[] values = new Value[count];
    for (int i = 0; i < count; i++) {
      if (pos >= limit) {
        in.position(pos);
        throw new BufferUnderflowException();
      }
      char kind = (char) array[base + pos++];
      if (kind == 't') {
        int length = limit - pos < 4 ? -1 : in.getInt(pos);
        if (length < 0 || length > limit - pos - 4) {
          in.position(pos);
          throw new IllegalArgumentException("column " + i + " has a text length beyond the message");
        }
        pos += 4;
        values[i] = new Value.Text(new String(array, base + pos, length, StandardCharsets.UTF_8));
        pos += length;
      } else if (kind == 'n') {
        values[i] = Value.NULL;
      } else if (kind == 'u') {
        values[i] = Value.UNCHANGED;
      } else {
        in.position(pos);
        throw new IllegalArgumentException("column " + i + " has unknown kind '" + kind + "'");
      }
    }
    in.position(pos);
    return List.of(values);
  }

  private static String string(ByteBuffer in) {
    int start = in.position();
    int end = start;
    while (in.get(end) != 0) {
      end++;
    }
    String s = new String(in.array(), in.arrayOffset() + start, end - start, StandardCharsets.UTF_8);
    in.position(end + 1);
    return s;
  }

  private static void expect(ByteBuffer in, char tag) {
    char got = (char) in.get();
    if (got != tag) {
      throw new IllegalArgumentException("expected '" + tag + "', got '" + got + "'");
    }
  }
}
