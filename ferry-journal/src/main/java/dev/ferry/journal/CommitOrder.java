package dev.ferry.journal;

import dev.ferry.journal.SegmentFormat.RecordType;
import dev.ferry.journal.model.Gtid;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The journal's own rule for GTIDs, as {@link JournalVerifier} checks it. A journal is written by
 * one source, whose capture hands out GTIDs in one domain with sequence numbers rising by exactly
 * one: a whole transaction gets its GTID at its TX record, a chunked one at its first CHUNK (its
 * later chunks and its COMMIT carry the same GTID). An ABORT of the GTID handed out last gives it
 * back (the next transaction takes it again). So, in file order, a newly handed-out GTID in
 * another domain is foreign; one whose number equals the last one handed out is a duplicate; a
 * lower one goes backwards; a jump of more than one leaves a gap. Not thread-safe.
 */
final class CommitOrder {
  /** Chunked transactions whose first chunk was seen, not yet committed or aborted. */
  private final Set<Gtid> open = new HashSet<>();
  private Gtid last;
  private String lastPlace;

  /** An independent copy, to check records against before they are accepted. */
  CommitOrder copy() {
    CommitOrder c = new CommitOrder();
    c.open.addAll(open);
    c.last = last;
    c.lastPlace = lastPlace;
    return c;
  }

  /** Forgets what was seen (after records could not be read, so no false gap follows). */
  void restart() {
    last = null;
    open.clear();
  }

  /** Checks the next record; returns what is wrong with its GTID, if anything. */
  Optional<String> see(RecordType type, Gtid gtid, Path path, long offset) {
    boolean continues = open.contains(gtid);
    switch (type) {
      case CHUNK -> open.add(gtid);
      case COMMIT -> open.remove(gtid);
      case ABORT -> {
        open.remove(gtid);
        if (gtid.equals(last)) {
          last = new Gtid(gtid.domain(), gtid.serverId(), gtid.seq() - 1);
        }
        return Optional.empty();
      }
      case TX -> {
      }
    }
    if (continues) {
      return Optional.empty();
    }
    Optional<String> problem = check(gtid);
    if (problem.isEmpty() || gtid.domain() == last.domain()) {
      last = gtid;
      lastPlace = path.getFileName() + " at offset " + offset;
    }
    return problem;
  }

  private Optional<String> check(Gtid gtid) {
    if (last == null) {
      return Optional.empty();
    }
    String previous = "the GTID handed out before it is " + last + " (" + lastPlace + ")";
    if (gtid.domain() != last.domain()) {
      return Optional.of("foreign domain: GTID " + gtid + " is in domain " + gtid.domain()
          + ", this journal's transactions are in domain " + last.domain() + "; " + previous);
    }
    if (gtid.seq() == last.seq()) {
      return Optional.of("duplicate GTID: " + gtid + " is used by two transactions; " + previous);
    }
    if (gtid.seq() < last.seq()) {
      return Optional.of("GTID goes backwards: " + gtid + " after " + last + "; " + previous);
    }
    if (gtid.seq() > last.seq() + 1) {
      return Optional.of("GTID gap: " + gtid + " follows " + last + ", " + (gtid.seq() - last.seq() - 1)
          + " sequence number(s) missing; " + previous);
    }
    return Optional.empty();
  }
}
