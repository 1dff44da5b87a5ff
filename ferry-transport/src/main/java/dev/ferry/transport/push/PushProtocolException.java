package dev.ferry.transport.push;

import java.io.IOException;

/** A push peer sent something the protocol does not allow: the connection is closed, the node goes on. */
public final class PushProtocolException extends IOException {
  private final long offset;

  public PushProtocolException(String message, long offset) {
    super(message);
    this.offset = offset;
  }

  /** The byte offset in the connection's stream of the frame at fault, or -1 when not about a frame. */
  public long offset() {
    return offset;
  }
}
