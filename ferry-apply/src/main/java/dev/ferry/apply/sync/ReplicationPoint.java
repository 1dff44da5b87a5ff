package dev.ferry.apply.sync;

import dev.ferry.apply.ReplicaPosition;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where a replica loaded from a full export archive resumes streaming: the content of the archive's
 * {@code REPLICATION_SEQUENCE} file. Transactions with a source position below {@link #snapshot()}
 * are in the archive's tables; the others are read from the journal {@code resume.source()}
 * starting at {@code resume.journalPosition()}, with {@code resume.applied()} counted as applied.
 *
 * <p>Text form ({@link #toString()} and {@link #parse} round-trip), one {@code key value} line each,
 * in this order, optional lines left out:
 *
 * <pre>
 * ferry-replication-point 1
 * journal 341ccba6-0d2c-4c1e-9b1c-5e4c3a1f0b2a
 * snapshot pg-lsn:0/16B3748
 * position 1:4097
 * applied 0:4711                      (empty when nothing precedes the snapshot)
 * schema-sequence 3                   (optional)
 * commit-time 2026-01-01T00:00:00Z    (optional)
 * </pre>
 *
 * @param snapshot the snapshot's source position
 * @param resume the progress row a load records; its journal position is always present
 */
public record ReplicationPoint(SourcePosition snapshot, ReplicaPosition resume) {
  private static final String HEADER = "ferry-replication-point 1";

  public ReplicationPoint {
    if (snapshot == null || resume == null || resume.journalPosition().isEmpty()) {
      throw new IllegalArgumentException("a replication point needs a snapshot position and a journal position");
    }
  }

  /** The journal's UUID the point belongs to. */
  public String journalId() {
    return resume.source();
  }

  /**
   * Parses the text form.
   *
   * @throws IllegalArgumentException naming the line that is malformed, unknown or missing
   */
  public static ReplicationPoint parse(String text) {
    List<String> lines = text.strip().lines().toList();
    if (lines.isEmpty() || !lines.getFirst().equals(HEADER)) {
      throw new IllegalArgumentException("expected '" + HEADER + "' as the first line, got '"
          + (lines.isEmpty() ? "" : lines.getFirst()) + "'");
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      int space = line.indexOf(' ');
      String key = space < 0 ? line : line.substring(0, space);
      if (!List.of("journal", "snapshot", "position", "applied", "schema-sequence", "commit-time").contains(key)
          || values.putIfAbsent(key, space < 0 ? "" : line.substring(space + 1)) != null) {
        throw new IllegalArgumentException("unknown or repeated line '" + line + "'");
      }
    }
    for (String required : List.of("journal", "snapshot", "position", "applied")) {
      if (!values.containsKey(required)) {
        throw new IllegalArgumentException("the line '" + required + " …' is missing");
      }
    }
    String seq = values.get("schema-sequence");
    String time = values.get("commit-time");
    ReplicaPosition resume = new ReplicaPosition(values.get("journal"), GtidSet.parse(values.get("applied")),
        Optional.of(JournalPosition.parse(values.get("position"))), seq == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(seq)),
        Optional.ofNullable(time).map(Instant::parse));
    return new ReplicationPoint(SourcePosition.parse(values.get("snapshot")), resume);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(HEADER).append('\n');
    b.append("journal ").append(resume.source()).append('\n');
    b.append("snapshot ").append(snapshot).append('\n');
    b.append("position ").append(resume.journalPosition().get()).append('\n');
    b.append("applied ").append(resume.applied()).append('\n');
    resume.schemaSequence().ifPresent(s -> b.append("schema-sequence ").append(s).append('\n'));
    resume.lastCommitTime().ifPresent(t -> b.append("commit-time ").append(t).append('\n'));
    return b.toString();
  }
}
