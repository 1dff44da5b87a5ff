package dev.ferry.journal;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The journal's own rule for the GTIDs of its commits (TX and COMMIT records, in file order), as
 * {@link JournalVerifier} checks it: one journal is written by one source, so every commit is in
 * the domain of the journal's first commit, and within it sequence numbers rise by exactly one
 * (capture numbers commits without holes; an aborted chunked transaction gives its number back
 * to the next one, so an ABORT makes no hole). A commit whose number equals the previous one is a
 * duplicate GTID, one below it goes backwards, one more than one above it leaves a gap. Not
 * thread-safe.
 */
final class CommitOrder {
  private Gtid last;
  private Path lastPath;
  private long lastOffset;

  /** Forgets the previous commit (after records could not be read, so no false gap follows). */
  void restart() {
    last = null;
  }

  /** Checks the next commit; returns what is wrong with it, if anything. */
  Optional<String> next(Gtid gtid, Path path, long offset) {
    Optional<String> problem = check(gtid);
    if (problem.isEmpty() || last == null || gtid.domain() == last.domain()) {
      last = gtid;
      lastPath = path;
      lastOffset = offset;
    }
    return problem;
  }

  private Optional<String> check(Gtid gtid) {
    if (last == null) {
      return Optional.empty();
    }
    String previous = "the commit before it is " + last + " (" + lastPath.getFileName() + " at offset "
        + lastOffset + ")";
    if (gtid.domain() != last.domain()) {
      return Optional.of("foreign domain: GTID " + gtid + " is in domain " + gtid.domain()
          + ", this journal's commits are in domain " + last.domain() + "; " + previous);
    }
    if (gtid.seq() == last.seq()) {
      return Optional.of("duplicate GTID sequence: " + gtid + " is committed twice; " + previous);
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
