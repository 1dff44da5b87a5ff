package dev.ferry.transport.push;

import dev.ferry.journal.model.JournalPosition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;

/**
 * The payloads of {@link PushFrames.Type}s, built and taken apart. Positions are two int64
 * (segment, offset); "none" is 0/0 (segment numbers start at 1). Stateless.
 */
final class Payloads {
  private Payloads() {
  }

  /** AUTH: proof, journal UUID, sync level. */
  record Auth(byte[] proof, UUID journal, SyncLevel sync) {
  }

  /** STATE: the copy's end (absent: no copy yet) and the applied position. */
  record State(boolean exists, JournalPosition end, Optional<JournalPosition> applied) {
  }

  /** ACK: the copy's durable end and the applied position. */
  record Ack(JournalPosition received, Optional<JournalPosition> applied) {
  }

  /** DATA: journal bytes of {@code segment} from {@code offset}. */
  record Data(long segment, long offset, byte[] bytes) {
  }

  static byte[] auth(byte[] proof, UUID journal, SyncLevel sync) {
    return ByteBuffer.allocate(49).put(proof).putLong(journal.getMostSignificantBits())
        .putLong(journal.getLeastSignificantBits()).put((byte) sync.ordinal()).array();
  }

  static Auth auth(ByteBuffer b, String peer) throws PushProtocolException {
    byte[] proof = new byte[Handshake.NONCE];
    b.get(proof);
    UUID id = new UUID(b.getLong(), b.getLong());
    int level = b.get() & 0xFF;
    if (level >= SyncLevel.values().length) {
      throw new PushProtocolException("[push " + peer + "] AUTH names sync level " + level + ", known are 0..2", -1);
    }
    return new Auth(proof, id, SyncLevel.values()[level]);
  }

  static byte[] state(boolean exists, JournalPosition end, Optional<JournalPosition> applied) {
    ByteBuffer b = ByteBuffer.allocate(33).put((byte) (exists ? 1 : 0));
    return position(position(b, end), applied.orElse(null)).array();
  }

  static State state(ByteBuffer b) {
    boolean exists = b.get() != 0;
    JournalPosition end = position(b).orElse(JournalPosition.startOf(1));
    return new State(exists, end, position(b));
  }

  static byte[] ack(JournalPosition received, Optional<JournalPosition> applied) {
    return position(position(ByteBuffer.allocate(32), received), applied.orElse(null)).array();
  }

  static Ack ack(ByteBuffer b, String peer) throws PushProtocolException {
    Optional<JournalPosition> received = position(b);
    if (received.isEmpty()) {
      throw new PushProtocolException("[push " + peer + "] ACK without a received position", -1);
    }
    return new Ack(received.get(), position(b));
  }

  /** DATA's first 16 bytes, the position of the journal bytes that follow. */
  static byte[] dataHead(long segment, long offset) {
    return ByteBuffer.allocate(DataHead.LENGTH).putLong(segment).putLong(offset).array();
  }

  /** COMPARE: what of the copy the supplier shows its bytes of; segment 0 when nothing. */
  record Compare(long segment, long length) {
  }

  /** CHECKED: the supplier sent {@code sent} bytes of {@code segment}; {@code purged} when it holds none of it. */
  record Checked(long segment, long sent, boolean purged) {
  }

  static byte[] compare(Compare c) {
    return ByteBuffer.allocate(16).putLong(c.segment()).putLong(c.length()).array();
  }

  static Compare compare(ByteBuffer b) {
    return new Compare(b.getLong(), b.getLong());
  }

  static byte[] checked(Checked c) {
    return ByteBuffer.allocate(17).putLong(c.segment()).putLong(c.sent()).put((byte) (c.purged() ? 1 : 0)).array();
  }

  static Checked checked(ByteBuffer b) {
    return new Checked(b.getLong(), b.getLong(), b.get() != 0);
  }

  static byte[] data(long segment, long offset, byte[] bytes) {
    return ByteBuffer.allocate(16 + bytes.length).putLong(segment).putLong(offset).put(bytes).array();
  }

  static Data data(byte[] payload, String peer) throws PushProtocolException {
    DataHead h = dataHead(payload, peer);
    return new Data(h.segment(), h.offset(), java.util.Arrays.copyOfRange(payload, DataHead.LENGTH, payload.length));
  }

  /** DATA's position and journal byte count, without copying the bytes (they follow {@link DataHead#LENGTH}). */
  record DataHead(long segment, long offset, int length) {
    static final int LENGTH = 16;

    /** Whether {@code next} continues these bytes in the same segment. */
    boolean continuedBy(DataHead next) {
      return next.segment == segment && next.offset == offset + length;
    }
  }

  static DataHead dataHead(byte[] payload, String peer) throws PushProtocolException {
    if (payload.length < 16) {
      throw new PushProtocolException("[push " + peer + "] DATA of " + payload.length + " bytes, at least 16", -1);
    }
    ByteBuffer b = ByteBuffer.wrap(payload);
    long segment = b.getLong();
    long offset = b.getLong();
    if (segment < 1 || offset < 0) {
      throw new PushProtocolException("[push " + peer + "] DATA for segment " + segment + " offset " + offset, -1);
    }
    return new DataHead(segment, offset, payload.length - DataHead.LENGTH);
  }

  static byte[] seal(long segment, long records) {
    return ByteBuffer.allocate(16).putLong(segment).putLong(records).array();
  }

  static byte[] error(String message) {
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    return text.length <= 2048 ? text : java.util.Arrays.copyOf(text, 2048);
  }

  static String error(byte[] payload) {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /**
   * The ERROR frame a peer sends when it closes the link on purpose (its node stops): the text
   * starts with {@link #STOPPING}, so that the other end logs it as information, not as a failure.
   */
  static byte[] stopping(String who) {
    return error(STOPPING + who + " is stopping");
  }

  /**
   * An ERROR frame's payload as the exception that ends the session: a deliberate stop
   * ({@link PeerStoppedException}, logged quietly) or a failure, each message prefixed.
   */
  static java.io.IOException closing(byte[] payload, String stopped, String failed) {
    String why = error(payload);
    return isStopping(why) ? new PeerStoppedException(stopped + why) : new java.io.IOException(failed + why);
  }

  /** Whether an ERROR frame's text says the peer stopped on purpose ({@link #stopping}). */
  static boolean isStopping(String message) {
    return message.startsWith(STOPPING);
  }

  static final String STOPPING = "stopping: ";

  private static ByteBuffer position(ByteBuffer b, JournalPosition p) {
    return p == null ? b.putLong(0).putLong(0) : b.putLong(p.segment()).putLong(p.offset());
  }

  private static Optional<JournalPosition> position(ByteBuffer b) {
    long segment = b.getLong();
    long offset = b.getLong();
    if (segment < 1 || offset < 0) {
      return Optional.empty();
    }
    return Optional.of(new JournalPosition(segment, offset));
  }
}
