package dev.ferry.node.cli;

import dev.ferry.journal.model.GtidSet;
import dev.ferry.node.run.NodeStatus;
import dev.ferry.node.run.ReplicaState;
import dev.ferry.transport.LinkStatus;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** {@code ferry status} for people: a few aligned lines. */
final class StatusText {
  private StatusText() {}

  static void print(PrintWriter out, NodeStatus s) {
    if (s.source().isPresent()) {
      NodeStatus.Source src = s.source().get();
      out.printf(Locale.ROOT, "source   %s (%s): %s%s, %d transactions captured by this run%s%n", src.name(),
          src.kind(), src.state(), src.position().map(p -> " at " + p).orElse(""), src.captured(),
          src.retainedWalBytes().map(b -> "\n         slot retains " + b + " bytes of WAL").orElse("")
              + src.lastError().map(e -> "\n         last error: " + e).orElse(""));
    } else if (!s.links().isEmpty()) {
      out.println("source   captured on the primary; this node receives a copy of its journal (links below)");
    } else {
      out.println("source   no capture process has reported (not running since the status files were removed)");
    }
    NodeStatus.Journal j = s.journal();
    out.printf(Locale.ROOT, "journal  %s%s: last GTID %s%s%n", j.dir(), j.id().isEmpty() ? " (not created yet)" : "",
        j.lastGtid().map(Object::toString).orElse("-"), j.lastCommitTime().map(t -> " committed " + t).orElse(""));
    if (!j.consumers().isEmpty()) {
      // What holds the journal's segments: purge keeps everything from the lowest position.
      out.printf(Locale.ROOT, "         consumers %s%n", String.join(", ", j.consumers().stream()
          .map(c -> c.name() + " at " + c.position()).toList()));
    }
    for (LinkStatus l : s.links()) {
      if (l.sent().isPresent() || s.source().isPresent()) {
        out.printf(Locale.ROOT, "link     %s %s: %s, sent to %s, acknowledged to %s, applied to %s, %d segments sealed"
            + " and %d bytes sent by this run%s%s%n", l.kind(), l.name(), l.state(),
            l.sent().map(Object::toString).orElse("-"), l.received().map(Object::toString).orElse("-"),
            l.applied().map(Object::toString).orElse("-"), l.segments(), l.bytes(), reconnects(l),
            l.lastError().map(e -> "\n         last error: " + e).orElse(""));
        continue;
      }
      out.printf(Locale.ROOT, "link     %s %s: %s, received to %s, applied to %s, %d segments and %d bytes received by"
          + " this run%s%s%s%n", l.kind(), l.name(), l.state(), l.received().map(Object::toString).orElse("-"),
          l.applied().map(Object::toString).orElse("-"), l.segments(), l.bytes(), reconnects(l),
          l.waitingFor().map(n -> "\n         waiting for segment " + n).orElse(""),
          l.lastError().map(e -> "\n         last error: " + e).orElse(""));
    }
    if (s.replicas().isEmpty()) {
      out.println("replicas none configured");
    }
    for (NodeStatus.Replica r : s.replicas()) {
      out.printf(Locale.ROOT, "replica  %s: %s, applied %s, lag %d transactions / %d bytes / %.3f s%s%n", r.name(),
          r.state(), r.appliedGtid().map(Object::toString).orElse("-"), r.lag().transactions(), r.lag().bytes(),
          r.lag().seconds(), catchUp(r) + progress(r) + workers(r) + holes(r.appliedSet())
          + r.lastError().map(e -> (operatorSet(r.state()) ? "\n         why: " : "\n         last error: ") + e)
              .orElse("")
              + r.nextTry().map(t -> "\n         next try: " + t).orElse(""));
    }
    operations(out, s);
  }

  /** The long operations other commands run beside the node, while they run. */
  private static void operations(PrintWriter out, NodeStatus s) {
    for (NodeStatus.Operation o : s.operations()) {
      out.printf(Locale.ROOT, "running  %s %s (pid %d, since %s)%s%n", o.progress().operation(), o.subject(), o.pid(),
          o.started(), figures(o.progress()));
    }
  }

  /** ", reconnected 2 times" once the link was re-established after it was lost or refused. */
  private static String reconnects(LinkStatus l) {
    return l.reconnects() == 0 ? "" : ", reconnected " + l.reconnects() + (l.reconnects() == 1 ? " time" : " times");
  }

  /** A state an operator's control put the replica in: what {@code lastError} holds then is no error. */
  private static boolean operatorSet(ReplicaState state) {
    return state == ReplicaState.PAUSED || state == ReplicaState.DELAYED;
  }

  /** How fast a replica that is behind catches up, while it is. */
  private static String catchUp(NodeStatus.Replica r) {
    return r.lag().catchUp().map(c -> String.format(Locale.ROOT,
        "%n         catching up: %,.1f transactions/s applied, %,.1f/s coming in, %s", c.applyRate(), c.incomingRate(),
        c.etaSeconds().map(s -> String.format(Locale.ROOT, "caught up in %d:%02d", s / 60, s % 60))
            .orElse("ETA unknown (not gaining)"))).orElse("");
  }

  /** How far a replica's initial sync got, while it runs. */
  private static String progress(NodeStatus.Replica r) {
    return r.progress().map(StatusText::figures).orElse("");
  }

  /** A long operation's figures, on a line of their own: tables, rows of the total, bytes, rate, ETA. */
  private static String figures(NodeStatus.Progress p) {
    String bytes = p.bytes().map(b -> String.format(Locale.ROOT, ", %,d%s bytes (%,d bytes/s)", b.done(),
        b.total().map(t -> String.format(Locale.ROOT, "/%,d", t)).orElse(""), b.perSecond())).orElse("");
    return String.format(Locale.ROOT,
        "%n         %s: %d/%d tables, %,d/%,d rows (%d%%), %,d rows/s%s, %s", p.operation(), p.tablesDone(), p.tables(),
        p.rows(), p.estimatedRows(), p.estimatedRows() == 0 ? 0 : p.rows() * 100 / p.estimatedRows(), p.rowsPerSecond(),
        bytes, p.etaSeconds().map(s -> String.format(Locale.ROOT, "ETA %d:%02d", s / 60, s % 60)).orElse("ETA ?"));
  }

  /** How a replica applying on more than one target connection does it. */
  private static String workers(NodeStatus.Replica r) {
    return r.workers().filter(w -> w.count() > 1)
        .map(w -> "\n         applying with " + w.count() + " workers, commit order " + w.commitOrder()).orElse("");
  }

  /** The low-water mark and the GTIDs applied above it, for a replica whose applied set has holes. */
  private static String holes(GtidSet applied) {
    List<String> domains = new java.util.ArrayList<>();
    for (long d : applied.domains()) {
      if (applied.hasHoles(d)) {
        domains.add(applied.lowWaterMark(d) + " in domain " + d);
      }
    }
    return domains.isEmpty() ? "" : "\n         applied set " + applied + " (low-water mark " + String.join(", ", domains)
        + "; the GTIDs missing above it are holes, applied next)";
  }
}
