package dev.ferry.node.cli;

import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.topology.Failover;
import dev.ferry.node.topology.FailoverChoice;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.http.HttpServeConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What {@code ferry failover} prints: the plan, its refusal, and each other node's re-point step. */
final class FailoverText {
  private FailoverText() {
  }

  static void plan(PrintWriter out, List<Failover.Inspected> nodes, FailoverChoice.Plan plan) {
    out.printf("failover plan for journal %s (%d replica nodes):%n", nodes.get(0).journalId(), nodes.size());
    for (Failover.Inspected n : nodes) {
      var copy = n.node().copy();
      out.printf("  %s: history %s; copy %s%s; applied %s%s%n", n.node().name(), text(n.node().history().toString()),
          copy.isEmpty() ? "empty" : copy.get(0).gtid() + ".." + copy.get(copy.size() - 1).gtid(),
          n.newestSegment() > 0 ? " (newest segment " + n.newestSegment() + ")" : "",
          n.applied().isEmpty() ? "{} (no replica)" : n.applied(),
          n.running() ? "; running (a process holds its journal.lock)" : "");
    }
    String chosen = plan.chosen().name();
    out.printf("promote %s: %s%n", chosen, plan.containsAll()
        ? "its history contains every other node's (by GTID, and by content checksum where the copies overlap)"
        : "no node's history contains every other's; promoting it loses the least: " + lost(plan));
    if (!plan.holes().isEmpty()) {
      out.printf("  GTIDs %s are missing on every node (below higher ones): promoting loses them%n", plan.holes());
    }
    for (FailoverChoice.Verdict v : plan.others()) {
      out.printf("  %s: %s; %s%n", v.node(), v.lacks().isEmpty() ? "lacks nothing " + chosen + " holds"
          : "lacks " + v.lacks() + " (" + count(v.lacks()) + " transactions)", follow(v, chosen));
    }
  }

  /** Why {@code ferry failover} refuses, naming the GTIDs and the nodes holding them. */
  static String refusal(FailoverChoice.Plan plan) {
    List<String> why = new ArrayList<>();
    if (!plan.containsAll()) {
      why.add("no replica node holds every other's history: promoting " + plan.chosen().name() + " (the least loss)"
          + " would lose " + lost(plan));
    }
    if (!plan.holes().isEmpty()) {
      why.add("GTIDs " + plan.holes() + " are missing on every node given");
    }
    return String.join("; ", why);
  }

  /** What promoting the plan's chosen node loses, naming the GTIDs and the nodes holding them. */
  static String lost(FailoverChoice.Plan plan) {
    List<String> parts = new ArrayList<>();
    for (FailoverChoice.Verdict v : plan.others()) {
      if (!v.onlyHere().isEmpty()) {
        parts.add("GTIDs " + v.onlyHere() + " held by " + v.node());
      }
      v.conflict().ifPresent(c -> parts.add(v.node() + "'s history from " + c.theirs() + " on (it holds "
          + c.theirs() + " with content checksum " + Long.toHexString(c.theirChecksum()) + ", " + plan.chosen().name()
          + " holds " + c.chosen() + " with " + Long.toHexString(c.chosenChecksum()) + ": another history)"));
    }
    return parts.isEmpty() ? "nothing" : String.join(", ", parts);
  }

  private static String follow(FailoverChoice.Verdict v, String chosen) {
    if (v.canFollow()) {
      return "can follow " + chosen;
    }
    if (!v.contained()) {
      return "cannot follow " + chosen + " (" + (v.onlyHere().isEmpty() ? "" : "it holds GTIDs " + v.onlyHere()
          + " that " + chosen + " lacks" + (v.conflict().isPresent() ? "; " : "")) + v.conflict().map(c -> "its history"
          + " differs from " + chosen + "'s at " + c.theirs()).orElse("") + "): seed it again";
    }
    return "cannot follow " + chosen + ": " + chosen + "'s copy no longer holds " + v.notServed() + " (applied and"
        + " purged there; journal.serve.http.consumers on it would have kept them): seed it again";
  }

  /** The step that re-points {@code v}'s node to the promoted one, or says it must be seeded again. */
  static void repoint(PrintWriter out, FailoverChoice.Verdict v, FerryConfig node, String chosen, FerryConfig promoted) {
    if (!v.canFollow()) {
      out.printf("%s %s: seed it again from the new primary (a new journal.dir; docs/failover.md)%n", v.node(),
          follow(v, chosen));
      return;
    }
    Optional<JournalFrom> from = node.from();
    if (from.isPresent() && from.get() instanceof JournalFrom.Listen l) {
      out.printf("re-point %s: keep its journal.from.listen (%s:%d) and add it to journal.push of %s's new "
          + "configuration:%n  journal:%n    push:%n      - name: %s%n        to: %s:%d%n        secret: <%s's"
          + " journal.from.listen.secret>%nthen restart %s's 'ferry run'%n", v.node(), l.host(), l.port(), chosen,
          stem(v.node()), l.host(), l.port(), v.node(), v.node());
      return;
    }
    String consumer = consumer(v, node);
    Optional<HttpServeConfig> serve = promoted.serve();
    String url = url(promoted, chosen).orElse("http://<" + chosen + "'s host>:<port>/");
    out.printf("re-point %s: set in %s%n  journal:%n    from:%n      http:%n        url: %s%n        consumer: %s%n"
        + "then restart its 'ferry run': it continues from the first segment it lacks, without a re-snapshot%s%n",
        v.node(), v.node(), url, consumer, serve.isEmpty() ? " (" + chosen + " serves no journal yet: set "
        + "journal.serve.http in its new configuration, listing " + consumer + " in consumers)"
        : serve.get().consumers().contains(consumer) ? "" : " (list " + consumer + " in journal.serve.http.consumers"
        + " of " + chosen + "'s new configuration)");
  }

  /** The consumer name {@code v}'s node reports to the promoted one: its own, else its file's name. */
  static String consumer(FailoverChoice.Verdict v, FerryConfig node) {
    Optional<JournalFrom> from = node.from();
    return from.isPresent() && from.get() instanceof JournalFrom.Http h && h.consumer().isPresent()
        ? h.consumer().get() : stem(v.node());
  }

  /** The promoted node's {@code journal.serve.http} URL, when its configuration serves one at a known host. */
  static Optional<String> url(FerryConfig promoted, String chosen) {
    return promoted.serve().map(s -> "http://" + host(s.host(), chosen) + ":" + s.port() + "/");
  }

  private static String host(String host, String chosen) {
    return host.equals("0.0.0.0") || host.equals("::") ? "<" + chosen + "'s host>" : host;
  }

  private static String stem(String file) {
    String name = Path.of(file).getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  private static long count(List<FailoverChoice.GtidRange> ranges) {
    return ranges.stream().mapToLong(FailoverChoice.GtidRange::count).sum();
  }

  private static String text(String set) {
    return set.isEmpty() ? "empty" : "{" + set + "}";
  }
}
