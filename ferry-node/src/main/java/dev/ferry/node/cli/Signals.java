package dev.ferry.node.cli;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT (Ctrl-C) ask a node to stop cleanly instead of killing the JVM, so the
 * transaction in hand is finished, everything is flushed, and the process exits 0.
 */
final class Signals {
  private Signals() {}

  static void onTerminate(Runnable stop) {
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> stop.run());
    }
  }
}
