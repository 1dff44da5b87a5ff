package dev.ferry.node.run;

import java.util.Optional;

/**
 * {@code ferry status --json}: the stable JSON form of a {@link NodeStatus}, documented in
 * {@code docs/cli.md}. Keys are only ever added, never renamed or removed.
 */
public final class StatusJson {
  private StatusJson() {}

  public static String of(NodeStatus s) {
    StringBuilder b = new StringBuilder(512);
    b.append("{\"time\":");
    string(b, s.time().toString());
    b.append(",\"source\":");
    if (s.source().isPresent()) {
      NodeStatus.Source src = s.source().get();
      b.append("{\"name\":");
      string(b, src.name());
      b.append(",\"kind\":");
      string(b, src.kind());
      b.append(",\"state\":");
      string(b, src.state());
      b.append(",\"position\":");
      optional(b, src.position());
      b.append(",\"captured\":").append(src.captured());
      b.append(",\"lastError\":");
      optional(b, src.lastError());
      b.append(",\"retainedWalBytes\":").append(src.retainedWalBytes().map(String::valueOf).orElse("null"));
      b.append('}');
    } else {
      b.append("null");
    }
    b.append(",\"journal\":{\"dir\":");
    string(b, s.journal().dir());
    b.append(",\"id\":");
    string(b, s.journal().id());
    b.append(",\"lastGtid\":");
    optional(b, s.journal().lastGtid());
    b.append(",\"lastCommitTime\":");
    optional(b, s.journal().lastCommitTime().map(Object::toString));
    b.append("},\"replicas\":[");
    for (int i = 0; i < s.replicas().size(); i++) {
      NodeStatus.Replica r = s.replicas().get(i);
      b.append(i > 0 ? "," : "").append("{\"name\":");
      string(b, r.name());
      b.append(",\"state\":");
      string(b, r.state());
      b.append(",\"appliedGtid\":");
      optional(b, r.appliedGtid());
      b.append(",\"lag\":{\"transactions\":").append(r.lagTransactions()).append(",\"bytes\":").append(r.lagBytes())
          .append(",\"seconds\":").append(String.format(java.util.Locale.ROOT, "%.3f", r.lagSeconds())).append('}');
      b.append(",\"applied\":").append(r.applied());
      b.append(",\"lastError\":");
      optional(b, r.lastError());
      b.append(",\"position\":");
      optional(b, r.position());
      b.append(",\"appliedCommitTime\":");
      optional(b, r.appliedCommitTime().map(Object::toString));
      b.append(",\"nextTry\":");
      optional(b, r.nextTry().map(Object::toString));
      b.append('}');
    }
    return b.append("]}").toString();
  }

  private static void optional(StringBuilder b, Optional<String> value) {
    if (value.isPresent()) {
      string(b, value.get());
    } else {
      b.append("null");
    }
  }

  static void string(StringBuilder b, String s) {
    dev.ferry.node.Json.string(b, s);
  }
}
