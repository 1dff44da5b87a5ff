package dev.ferry.node.run;

import dev.ferry.journal.DurableFiles;
import dev.ferry.journal.model.Gtid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code rejoined.json} in an old primary's journal directory, written by {@code ferry rejoin}: the
 * journal is fenced (its tail after the branch point was exported, never merged), and a {@code ferry
 * run} that would capture into it again is refused (docs/failover.md).
 *
 * @param at when the rejoin fenced it
 * @param newPrimary the URL of the new primary's journal it was compared with
 * @param branchPoint the last GTID both histories share
 * @param firstDivergent the old primary's first transaction after it, if any
 * @param exported how many transactions were exported
 * @param export the file they were exported to
 */
public record RejoinRecord(Instant at, String newPrimary, Gtid branchPoint, Optional<Gtid> firstDivergent,
    long exported, Path export) {
  public static final String FILE = "rejoined.json";

  public RejoinRecord {
    firstDivergent = firstDivergent == null ? Optional.empty() : firstDivergent;
  }

  /** The fence of the journal {@code journalDir}, if {@code ferry rejoin} ever fenced it. */
  public static Optional<RejoinRecord> read(Path journalDir) throws IOException {
    return StatusJson.readFile(journalDir.resolve(FILE), RejoinRecord.class, "a rejoin record");
  }

  /** Writes it durably into {@code journalDir}, replacing an earlier one. */
  public void write(Path journalDir) throws IOException {
    DurableFiles.write(journalDir.resolve(FILE), StatusJson.write(this).getBytes(StandardCharsets.UTF_8));
  }

  /** Why the old primary's {@code ferry run} must not capture into this journal again. */
  public String refusal(Path journalDir) {
    return "journal " + journalDir + " was fenced by 'ferry rejoin' at " + at + ": its history left the new primary's ("
        + newPrimary + ") after branch point " + branchPoint + firstDivergent.map(g -> ", from " + g + " on (" + exported
        + " transactions exported to " + export + ", never merged)").orElse("") + ". This node is no primary any"
        + " more: run this host as a replica node of the new primary (docs/failover.md#fencing-and-rejoining-the-old-primary)";
  }
}
