package dev.ferry.transport.push;

import java.io.IOException;

/**
 * The other end of a push link closed it on purpose (its node is stopping) and said so with an ERROR
 * frame ({@link Payloads#stopping}): the connection is over, but nothing failed.
 */
final class PeerStoppedException extends IOException {
  PeerStoppedException(String message) {
    super(message);
  }
}
