package dev.ferry.journal.codec;

import dev.ferry.journal.model.ImmutableValues;
import dev.ferry.journal.model.Value;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * A row read from the journal whose values are decoded only when first asked for: reading a
 * transaction checks each value's tag and length but makes no {@link Value} objects, so a
 * consumer that skips a change (a filtered table) or reads only some changes pays for none of
 * them. The encoded bytes are a private copy of the record's payload, shared by the rows of that
 * record (a row kept alive keeps its record's payload alive).
 *
 * <p>Immutable and thread-safe: decoding is idempotent, and the decoded array is published
 * through a volatile field; two threads may at worst decode the same row twice.
 */
final class EncodedValues extends AbstractList<Value> implements ImmutableValues, RandomAccess {
  private final byte[] buf;
  private final int offset;
  private final int length;
  private final int count;
  private volatile Value[] decoded;

  private EncodedValues(byte[] buf, int offset, int length, int count) {
    this.buf = buf;
    this.offset = offset;
    this.length = length;
    this.count = count;
  }

  /**
   * Reads a value count and then checks (without decoding) that many values, leaving {@code in}
   * after them. {@code in} must read from a buffer nobody overwrites.
   *
   * @throws ByteSource.MalformedRecordException for an unknown tag or a length past the end
   */
  static List<Value> read(ByteSource in) {
    int n = ChangeCodec.Decoder.count(in);
    if (n == 0) {
      return List.of();
    }
    int start = in.position();
    for (int i = 0; i < n; i++) {
      ChangeCodec.Decoder.skipValue(in);
    }
    return new EncodedValues(in.array(), start, in.position() - start, n);
  }

  @Override
  public int size() {
    return count;
  }

  @Override
  public Value get(int index) {
    return values()[java.util.Objects.checkIndex(index, count)];
  }

  private Value[] values() {
    Value[] v = decoded;
    if (v == null) {
      ByteSource in = new ByteSource(buf, offset, length);
      v = new Value[count];
      for (int i = 0; i < count; i++) {
        v[i] = ChangeCodec.Decoder.readValue(in);
      }
      decoded = v;
    }
    return v;
  }
}
