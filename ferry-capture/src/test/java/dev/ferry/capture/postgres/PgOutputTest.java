package dev.ferry.capture.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.model.Value;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgOutputTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final DataOutputStream out = new DataOutputStream(bytes);

  private void string(String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
    out.write(0);
  }

  private void text(String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write('t');
    out.writeInt(b.length);
    out.write(b);
  }

  private PgOutput.Message decode() {
    return PgOutput.decode(ByteBuffer.wrap(bytes.toByteArray()));
  }

  private PgOutput.Message decodeAndReset(boolean inStreamBlock) {
    PgOutput.Message m = PgOutput.decode(ByteBuffer.wrap(bytes.toByteArray()), inStreamBlock);
    bytes.reset();
    return m;
  }

  @Test
  void decodesTheStreamingMessagesOfProtocolVersionTwoAndTheXidOfChangesInsideABlock() throws IOException {
    out.write('S');
    out.writeInt(731);
    out.write(1);
    assertThat(decodeAndReset(false)).isEqualTo(new PgOutput.StreamStart(731, true));
    out.write('I');
    out.writeInt(733);
    out.writeInt(16384);
    out.write('N');
    out.writeShort(1);
    text("7");
    assertThat(decodeAndReset(true)).isEqualTo(new PgOutput.InStream(733,
        new PgOutput.Insert(16384, List.of(new Value.Text("7")))));
    out.write('E');
    assertThat(decodeAndReset(true)).isEqualTo(new PgOutput.StreamStop());
    out.write('A');
    out.writeInt(731);
    out.writeInt(733);
    assertThat(decodeAndReset(false)).isEqualTo(new PgOutput.StreamAbort(731, 733));
    out.write('c');
    out.writeInt(731);
    out.write(0);
    out.writeLong(0x1000);
    out.writeLong(0x1010);
    out.writeLong(42);
    assertThat(decodeAndReset(false)).isEqualTo(new PgOutput.StreamCommit(731, 0x1000, 0x1010, 42));
  }

  @Test
  void decodesAnUpdateWithKeyImageNullUnchangedAndUnicodeText() throws IOException {
    out.write('U');
    out.writeInt(16384);
    out.write('K');
    out.writeShort(3);
    text("1");
    out.write('n');
    out.write('n');
    out.write('N');
    out.writeShort(3);
    text("2");
    text("héllo 🚢");
    out.write('u');

    assertThat(decode()).isEqualTo(new PgOutput.Update(16384, 'K',
        List.of(new Value.Text("1"), Value.NULL, Value.NULL),
        List.of(new Value.Text("2"), new Value.Text("héllo 🚢"), Value.UNCHANGED)));
  }

  @Test
  void decodesARelationAndATransactionalMessage() throws IOException {
    out.write('R');
    out.writeInt(7);
    string("public");
    string("t");
    out.write('d');
    out.writeShort(1);
    out.write(1);
    string("id");
    out.writeInt(23);
    out.writeInt(-1);
    assertThat(decode()).isEqualTo(new PgOutput.Relation(7, "public", "t", 'd',
        List.of(new PgOutput.RelColumn(true, "id", 23, -1))));

    bytes.reset();
    out.write('M');
    out.write(1);
    out.writeLong(99);
    string("ferry.ddl");
    out.writeInt(3);
    out.write(new byte[] {'1', 0, 'x'});
    PgOutput.LogicalMessage m = (PgOutput.LogicalMessage) decode();
    assertThat(m.transactional()).isTrue();
    assertThat(m.prefix()).isEqualTo("ferry.ddl");
    assertThat(m.content()).containsExactly('1', 0, 'x');
  }

  @Test
  void truncatedOrUnknownBytesFailNamingTheMessageAndOffset() throws IOException {
    out.write('I');
    out.writeInt(1);
    out.write('N');
    out.writeShort(2);
    text("1");
    assertThatThrownBy(this::decode).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad pgoutput message 'I' at byte 14 of 14: BufferUnderflowException");

    bytes.reset();
    out.write('Z');
    assertThatThrownBy(this::decode).hasMessageContaining("'Z'").hasMessageContaining("unknown message type");

    bytes.reset();
    out.write('I');
    out.writeInt(1);
    out.write('N');
    out.writeShort(1);
    out.write('b');
    assertThatThrownBy(this::decode).hasMessageContaining("column 0 has unknown kind 'b'");
  }

  @Test
  void decodesTextFromASliceOfALargerArray() throws IOException {
    out.write('I');
    out.writeInt(5);
    out.write('N');
    out.writeShort(2);
    text("ünïcode");
    text("");
    byte[] message = bytes.toByteArray();
    byte[] padded = new byte[message.length + 20];
    java.util.Arrays.fill(padded, (byte) 'x');
    System.arraycopy(message, 0, padded, 7, message.length);
    ByteBuffer slice = ByteBuffer.wrap(padded, 7, message.length).slice();
    assertThat(PgOutput.decode(slice)).isEqualTo(new PgOutput.Insert(5,
        List.of(new Value.Text("ünïcode"), new Value.Text(""))));
    assertThat(slice.remaining()).isZero();

    // A text length running past the message's end (into the padding) is refused, not read.
    ByteBuffer cut = ByteBuffer.wrap(padded, 7, message.length - 1).slice();
    assertThatThrownBy(() -> PgOutput.decode(cut)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column 1 has a text length beyond the message");
  }
}
