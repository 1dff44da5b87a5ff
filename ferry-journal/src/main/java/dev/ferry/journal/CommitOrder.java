package dev.ferry.journal;

import dev.ferry.journal.SegmentFormat.RecordType;
import dev.ferry.journal.codec.ByteSource;
import dev.ferry.journal.codec.RecordCodec;
import dev.ferry.journal.model.Gtid;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The journal's own rule for GTIDs, as {@link JournalVerifier} and {@link JournalIngest} check it.
 * A transaction gets its GTID at its TX record, a chunked one at its first CHUNK (its later chunks
 * and its COMMIT carry the same GTID). An ABORT of the GTID handed out last gives it back (the next
 * transaction takes it again). A streamed transaction's CHUNK and ABORT records carry a stream key,
 * not a GTID, and are no part of the order; its COMMIT hands out its GTID as a TX record does. Two
 * kinds of journal:
 *
 * <ul>
 *   <li>GTIDs Ferry hands out (a PostgreSQL or SQLite source): one domain, sequence numbers rising by
 *       exactly one. A newly handed-out GTID in another domain is foreign; a jump of more than one
 *       leaves a gap.
 *   <li>GTIDs that are the source's own (a MariaDB source: the record's source position carries
 *       the same GTID, {@link #declaresSourceGtid}; a chunked
 *       transaction declares it at its COMMIT): the source's history, holes and
 *       all, in as many domains as it writes. Once a record of the journal declares it, sequence
 *       numbers must rise within each domain, holes allowed, and a new domain is no problem.
 * </ul>
 *
 * <p>In both, a GTID whose number equals the last one of its domain is a duplicate, a lower one
 * goes backwards. Not thread-safe.
 */
final class CommitOrder {
  /** Chunked transactions whose first chunk was seen, not yet committed or aborted. */
  private final Set<Gtid> open = new HashSet<>();
  /** The GTID handed out last in each domain, and where. */
  private final Map<Long, Gtid> last = new HashMap<>();
  private final Map<Long, String> lastPlace = new HashMap<>();
  private Gtid newest;
  private boolean sourceGtids;

  /** An independent copy, to check records against before they are accepted. */
  CommitOrder copy() {
    CommitOrder c = new CommitOrder();
    c.open.addAll(open);
    c.last.putAll(last);
    c.lastPlace.putAll(lastPlace);
    c.newest = newest;
    c.sourceGtids = sourceGtids;
    return c;
  }

  /** Forgets what was seen (after records could not be read, so no false gap follows). */
  void restart() {
    last.clear();
    lastPlace.clear();
    newest = null;
    open.clear();
  }

  /**
   * Whether a TX or COMMIT record's source position carries {@code gtid} itself: the journal's GTID
   * is its source's own (MariaDB's), so the source's holes and domains are the journal's. Other
   * records, and a payload that does not decode, do not declare it.
   */
  static boolean declaresSourceGtid(RecordType type, Gtid gtid, ByteSource payload, int version) {
    try {
      RecordCodec.Meta meta = switch (type) {
        case TX -> RecordCodec.readMeta(payload, version);
        case COMMIT -> RecordCodec.readCommit(payload, version, false).meta();
        case CHUNK, ABORT -> null;
      };
      return meta != null && meta.sourcePosition().sourceGtid().equals(Optional.of(gtid));
    } catch (ByteSource.MalformedRecordException e) {
      return false;
    }
  }

  /** Whether a record seen so far declared its GTID to be its source's own. */
  boolean sourceGtids() {
    return sourceGtids;
  }

  /**
   * Checks the next record; returns what is wrong with its GTID, if anything.
   *
   * @param streamed whether the record is a streamed transaction's ({@link SegmentFormat#FLAG_STREAMED})
   * @param declares whether this record's source position carries the same GTID (asked only when
   *     the answer matters: a hole or a new domain, while no record declared it yet)
   */
  Optional<String> see(RecordType type, boolean streamed, Gtid gtid, BooleanSupplier declares, Path path,
      long offset) {
    if (streamed && type != RecordType.COMMIT) {
      return Optional.empty();
    }
    boolean continues = !streamed && open.contains(gtid);
    switch (type) {
      case CHUNK -> open.add(gtid);
      case COMMIT -> {
        if (!streamed) {
          open.remove(gtid);
        }
      }
      case ABORT -> {
        open.remove(gtid);
        if (gtid.equals(last.get(gtid.domain()))) {
          last.put(gtid.domain(), new Gtid(gtid.domain(), gtid.serverId(), gtid.seq() - 1));
        }
        return Optional.empty();
      }
      case TX -> {
      }
    }
    if (continues) {
      if (type == RecordType.COMMIT && !sourceGtids && declares.getAsBoolean()) {
        sourceGtids = true;
      }
      return Optional.empty();
    }
    Optional<String> problem = check(gtid);
    if (problem.isPresent() && type == RecordType.TX && !sourceGtids && hole(gtid) && declares.getAsBoolean()) {
      sourceGtids = true;
      problem = check(gtid);
    }
    Gtid before = last.get(gtid.domain());
    if (problem.isEmpty() || before != null && gtid.seq() > before.seq()) {
      last.put(gtid.domain(), gtid);
      lastPlace.put(gtid.domain(), path.getFileName() + " at offset " + offset);
      newest = gtid;
    }
    return problem;
  }

  /** Whether {@code gtid}'s only fault could be a hole or a new domain, which a source's own GTIDs may have. */
  private boolean hole(Gtid gtid) {
    Gtid before = last.get(gtid.domain());
    return before == null || gtid.seq() > before.seq() + 1;
  }

  private Optional<String> check(Gtid gtid) {
    if (newest == null) {
      return Optional.empty();
    }
    Gtid before = last.get(gtid.domain());
    if (before == null) {
      if (sourceGtids) {
        return Optional.empty();
      }
      return Optional.of("foreign domain: GTID " + gtid + " is in domain " + gtid.domain()
          + ", this journal's transactions are in domain " + newest.domain() + "; " + previous(newest));
    }
    if (gtid.seq() == before.seq()) {
      return Optional.of("duplicate GTID: " + gtid + " is used by two transactions; " + previous(before));
    }
    if (gtid.seq() < before.seq()) {
      return Optional.of("GTID goes backwards: " + gtid + " after " + before + "; " + previous(before));
    }
    if (gtid.seq() > before.seq() + 1 && !sourceGtids) {
      return Optional.of("GTID gap: " + gtid + " follows " + before + ", " + (gtid.seq() - before.seq() - 1)
          + " sequence number(s) missing; " + previous(before));
    }
    return Optional.empty();
  }

  private String previous(Gtid gtid) {
    return "the GTID handed out before it is " + gtid + " (" + lastPlace.get(gtid.domain()) + ")";
  }
}
