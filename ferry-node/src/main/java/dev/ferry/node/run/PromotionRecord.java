package dev.ferry.node.run;

import dev.ferry.journal.DurableFiles;
import dev.ferry.journal.model.Gtid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code promotion.json} in a promoted node's journal directory: the durable trace of
 * {@code ferry promote}, written with the one durable-write recipe (temp, fsync, rename, fsync of
 * the directory). Written first as {@code started} with the plan (the sequence values to set), so
 * a re-run after a crash finishes the same plan, then as {@code done}. Immutable.
 *
 * @param journalId the journal the promoted node's copy is of (the old primary's)
 * @param state {@code started} or {@code done}
 * @param at when the promotion was planned
 * @param branchPoint the last GTID of the old primary's history the copy held; empty for an empty copy
 * @param applied per replica, every GTID it applied (the text form of a GTID set)
 * @param lost the GTIDs missing below the branch point, accepted with {@code --accept-loss}
 * @param sequences per sequence ({@code schema.name}), the value set on the promoted target
 * @param capture with {@code ferry promote --capture}: where capture was prepared before the
 *     target became writable, so that the promoted database continues this journal as its source
 */
public record PromotionRecord(String journalId, String state, Instant at, Optional<Gtid> branchPoint,
    Map<String, String> applied, List<Lost> lost, Map<String, Long> sequences, Optional<Capture> capture) {
  public static final String FILE = "promotion.json";
  public static final String STARTED = "started";
  static final String DONE = "done";

  /**
   * The capture {@code ferry promote --capture} prepared on the promoted replica's database.
   *
   * @param replica the promoted replica (its name in the replica node's configuration)
   * @param slot the replication slot made before the database became writable
   * @param database what the database is ({@code DatabaseIdentity#key}), to recognise it as {@code source.url}
   * @param describedAs the database as people read it (host, port, name)
   */
  public record Capture(String replica, String slot, String database, String describedAs) {
  }

  /** GTIDs {@code from..to} (one domain and server) that the promoted node never received. */
  public record Lost(Gtid from, Gtid to) {
    @Override
    public String toString() {
      return from.equals(to) ? from.toString() : from + ".." + to;
    }
  }

  public PromotionRecord {
    applied = Map.copyOf(applied);
    lost = List.copyOf(lost);
    sequences = Map.copyOf(sequences);
    capture = capture == null ? Optional.empty() : capture; // absent in records written before --capture
    branchPoint = branchPoint == null ? Optional.empty() : branchPoint;
  }

  public boolean done() {
    return DONE.equals(state);
  }

  /** This record as {@code done}. */
  public PromotionRecord finished() {
    return new PromotionRecord(journalId, DONE, at, branchPoint, applied, lost, sequences, capture);
  }

  /** The record of the node whose journal is {@code journalDir}, if it was ever promoted. */
  public static Optional<PromotionRecord> read(Path journalDir) throws IOException {
    return StatusJson.readFile(journalDir.resolve(FILE), PromotionRecord.class, "a promotion record");
  }

  /** Writes it durably into {@code journalDir}, replacing an earlier one. */
  public void write(Path journalDir) throws IOException {
    DurableFiles.write(journalDir.resolve(FILE), StatusJson.write(this).getBytes(StandardCharsets.UTF_8));
  }
}
