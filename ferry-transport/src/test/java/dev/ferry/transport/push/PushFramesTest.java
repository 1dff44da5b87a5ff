package dev.ferry.transport.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.transport.push.PushFrames.Frame;
import dev.ferry.transport.push.PushFrames.Type;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The push link's frame codec against bad input, seeded: random bytes, a 2 GB or negative length,
 * a frame cut at every byte, a flipped bit. Each is a {@link PushProtocolException} naming the
 * frame's offset and the numbers, and nothing allocates what a sender merely claims (the tests run
 * in a 512 MiB heap).
 */
@Timeout(60)
class PushFramesTest {
  private static final long SEED = 0x14_7C9L;

  private static PushFrames reader(byte[] bytes) {
    return new PushFrames(new ByteArrayInputStream(bytes), "test");
  }

  private static byte[] concat(byte[]... parts) {
    int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  @Test
  void framesRoundTripAndEndCleanlyAtABoundary() throws IOException {
    byte[] data = Payloads.data(3, 72, new byte[] {1, 2, 3});
    PushFrames in = reader(concat(PushFrames.encode(Type.DATA, data), PushFrames.encode(Type.HEARTBEAT, new byte[0])));
    Frame f = in.read(1 << 20);
    assertThat(f.type()).isEqualTo(Type.DATA);
    Payloads.Data d = Payloads.data(f.payload(), "test");
    assertThat(d.segment()).isEqualTo(3);
    assertThat(d.offset()).isEqualTo(72);
    assertThat(d.bytes()).containsExactly(1, 2, 3);
    assertThat(in.read(16).type()).isEqualTo(Type.HEARTBEAT);
    assertThatThrownBy(() -> in.read(16)).isInstanceOf(EOFException.class).hasMessageContaining("closed at byte 51");
  }

  @Test
  void aDataFrameWrittenFromItsHeadAndBodyIsTheSameBytesAsOneEncoded() throws IOException {
    byte[] body = new byte[70_000];
    new java.util.Random(14).nextBytes(body);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    PushFrames.write(out, Type.DATA, Payloads.dataHead(5, 4096), body);
    assertThat(out.toByteArray()).isEqualTo(PushFrames.encode(Type.DATA, Payloads.data(5, 4096, body)));
    Payloads.DataHead head = Payloads.dataHead(reader(out.toByteArray()).read(1 << 20).payload(), "test");
    assertThat(head).isEqualTo(new Payloads.DataHead(5, 4096, body.length));
  }

  @Test
  void aTwoGigabyteOrNegativeLengthIsRefusedBeforeAllocating() {
    for (int length : new int[] {Integer.MAX_VALUE, 0x8000_0000, -1, 2_000_000_000}) {
      byte[] header = ByteBuffer.allocate(PushFrames.HEADER).put(PushFrames.MAGIC).put((byte) PushFrames.VERSION)
          .put((byte) Type.DATA.code).putShort((short) 0).putInt(length).array();
      ByteBuffer.wrap(header).putShort(6, PushFrames.headerCheck(header));
      assertThatThrownBy(() -> reader(header).read(64 << 20)).isInstanceOf(PushProtocolException.class)
          .hasMessageContaining("frame at byte 0").hasMessageContaining("claims " + Integer.toUnsignedString(length))
          .hasMessageContaining("the limit is " + (64 << 20));
    }
  }

  @Test
  void aFixedSizeFrameWithAnotherLengthIsRefused() {
    byte[] frame = PushFrames.encode(Type.ERROR, new byte[40]);
    frame[5] = (byte) Type.ACK.code;
    ByteBuffer.wrap(frame).putShort(6, PushFrames.headerCheck(frame)); // a peer's bug, not a corruption
    assertThatThrownBy(() -> reader(frame).read(4096)).isInstanceOf(PushProtocolException.class)
        .hasMessageContaining("ACK frame claims 40 payload bytes, it always carries 32");
  }

  @Test
  void aFrameCutAtAnyByteIsAnErrorNotAHang() {
    byte[] frame = PushFrames.encode(Type.DATA, Payloads.data(1, 0, new byte[100]));
    for (int cut = 1; cut < frame.length; cut++) {
      byte[] part = Arrays.copyOf(frame, cut);
      assertThatThrownBy(() -> reader(part).read(4096)).as("cut at %d", cut).isInstanceOf(PushProtocolException.class)
          .hasMessageContaining("connection closed inside a frame");
    }
  }

  @Test
  void aCorruptedLengthWithinTheCapIsRefusedAtTheHeaderNotAfterThatManyBytes() {
    byte[] frame = PushFrames.encode(Type.DATA, Payloads.data(1, 0, new byte[20]));
    byte[] header = Arrays.copyOf(frame, PushFrames.HEADER);
    header[9] ^= (byte) 0xFF; // 36 payload bytes become 16711716: under a 64 MiB cap
    // Only the header arrives: a reader that trusted the length would wait for 16 MiB.
    assertThatThrownBy(() -> reader(header).read(64 << 20)).isInstanceOf(PushProtocolException.class)
        .hasMessageContaining("frame at byte 0: header check").hasMessageContaining("corrupted in transit");
    byte[] older = frame.clone();
    older[4] = 1;
    assertThatThrownBy(() -> reader(older).read(4096)).isInstanceOf(PushProtocolException.class)
        .hasMessageContaining("protocol version 1, this node speaks 3");
  }

  @Test
  void everyFlippedBitIsDetected() {
    byte[] frame = PushFrames.encode(Type.DATA, Payloads.data(1, 0, new byte[20]));
    for (int bit = 0; bit < frame.length * 8; bit++) {
      byte[] bad = frame.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThatThrownBy(() -> reader(bad).read(4096)).as("bit %d", bit).isInstanceOf(PushProtocolException.class);
    }
  }

  @Test
  void randomBytesAreRefusedWithAPreciseError() {
    SplittableRandom random = new SplittableRandom(SEED);
    for (int i = 0; i < 5_000; i++) {
      byte[] noise = new byte[random.nextInt(1, 200)];
      random.nextBytes(noise);
      if (i % 2 == 0 && noise.length >= 4) {
        System.arraycopy(PushFrames.MAGIC, 0, noise, 0, 4); // past the magic, into the rest of the header
      }
      assertThatThrownBy(() -> reader(noise).read(1 << 20)).as("input %d", i)
          .isInstanceOf(PushProtocolException.class).hasMessageStartingWith("[push test] frame at byte 0: ");
    }
  }

  @Test
  void mutatedValidStreamsNeverYieldACorruptedFrame() throws IOException {
    SplittableRandom random = new SplittableRandom(SEED + 1);
    byte[] stream = concat(PushFrames.encode(Type.DATA, Payloads.data(2, 72, new byte[300])),
        PushFrames.encode(Type.SEAL, Payloads.seal(2, 9)), PushFrames.encode(Type.HEARTBEAT, new byte[0]));
    for (int i = 0; i < 3_000; i++) {
      byte[] bad = stream.clone();
      int at = random.nextInt(bad.length);
      bad[at] = (byte) (bad[at] ^ random.nextInt(1, 256));
      PushFrames in = reader(bad);
      int good = 0;
      try {
        while (true) {
          in.read(1 << 20);
          good++;
        }
      } catch (PushProtocolException e) {
        assertThat(e.getMessage()).contains("frame at byte");
      } catch (EOFException e) {
        throw new AssertionError("a mutated byte at " + at + " went unnoticed (" + good + " frames read)");
      }
    }
  }
}
