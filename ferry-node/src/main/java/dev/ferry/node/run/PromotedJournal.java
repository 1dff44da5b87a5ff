package dev.ferry.node.run;

import dev.ferry.apply.dialect.DatabaseIdentity;
import dev.ferry.capture.ResumePoint;
import dev.ferry.capture.TransactionSink;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * A promoted node's journal copy continued by capture of the promoted database (MWL#170,
 * docs/failover.md "Capturing on the promoted database"): the node's configuration has
 * {@code source.url} on the promoted database, {@code journal.dir} on the copy, and no
 * {@code journal.from}. New transactions get the next sequence numbers after the branch point, in
 * its domain, with the node's own {@code source.gtid.server-id}, so old and new GTIDs never
 * collide. Stateless.
 */
public final class PromotedJournal {
  private PromotedJournal() {
  }

  /**
   * The promotion of the journal {@code spec} captures into, checked against the configuration;
   * empty when that journal was never promoted.
   *
   * @throws IOException naming the setting or the file when the node cannot continue the journal
   */
  public static Optional<PromotionRecord> check(NodeSpec spec) throws IOException {
    Path dir = spec.journal().directory().toAbsolutePath();
    Optional<PromotionRecord> read = PromotionRecord.read(dir);
    if (read.isEmpty() || spec.from().isPresent()) {
      return Optional.empty();
    }
    PromotionRecord p = read.get();
    Path file = dir.resolve(PromotionRecord.FILE);
    if (!p.done()) {
      throw new IOException("journal " + dir + ": the promotion started at " + p.at() + " is not finished (" + file
          + "): run 'ferry promote' again with the replica node's configuration (journal.from set) first");
    }
    if (p.capture().isEmpty()) {
      throw new IOException("journal " + dir + " was promoted at " + p.at() + " without --capture (" + file + "): no"
          + " slot (PostgreSQL) or change table (SQLite) was made on the promoted database before it became writable, so it cannot continue this journal."
          + " Capture it into a new journal (another journal.dir) and seed the replicas from it");
    }
    PromotionRecord.Capture capture = p.capture().get();
    SourceSpec source = spec.source();
    String slot = source.continuedAt(source.jdbcUrl(), Optional.empty())
        .orElseThrow(why -> new IOException("journal " + dir + " was promoted with --capture: " + why)).slot();
    if (!slot.equals(capture.slot())) {
      throw new IOException("source.slot is '" + slot + "', but 'ferry promote --capture' made slot '"
          + capture.slot() + "' on the promoted database (" + file + "): set source.slot: " + capture.slot());
    }
    if (p.branchPoint().isPresent()) {
      Gtid branch = p.branchPoint().get();
      if (source.gtidDomain() != branch.domain()) {
        throw new IOException("source.gtid.domain is " + source.gtidDomain() + ", but journal " + dir + " continues "
            + "GTID domain " + branch.domain() + " after its branch point " + branch + ": set source.gtid.domain: "
            + branch.domain());
      }
      if (source.serverId() == branch.serverId()) {
        throw new IOException("source.gtid.server-id is " + source.serverId() + ", the old primary's (branch point "
            + branch + " in " + file + "): give the promoted database a server id of its own (for example "
            + (branch.serverId() + 1) + ") so that its GTIDs are told apart from the old primary's");
      }
    }
    checkSameDatabase(source, capture, file);
    return read;
  }

  private static void checkSameDatabase(SourceSpec source, PromotionRecord.Capture capture, Path file)
      throws IOException {
    if (capture.database().isEmpty()) {
      return;
    }
    Optional<DatabaseIdentity> id;
    try {
      id = DatabaseIdentity.ofUrl(source.jdbcUrl(), new Properties());
    } catch (SQLException e) {
      return; // unreachable now: capture retries and says so
    }
    if (id.isPresent() && !id.get().key().equals(capture.database())) {
      throw new IOException("source.url reaches " + id.get() + ", but the journal was promoted on "
          + capture.describedAs() + " (replica " + capture.replica() + ", " + file + "): point source.url at the "
          + "promoted database");
    }
  }

  /**
   * {@code journal} as the capture sink of the promoted database: while it holds only the old
   * primary's history (its last GTID at or before {@code branch}), capture continues after it
   * ({@link ResumePoint#continuing}) instead of resuming at the old primary's source position.
   */
  static TransactionSink continuing(TransactionSink journal, Optional<Gtid> branch) {
    return new TransactionSink() {
      @Override
      public Optional<ResumePoint> resumePoint() throws IOException {
        Optional<ResumePoint> last = journal.resumePoint();
        if (last.isPresent() && branch.isPresent() && last.get().gtid().domain() == branch.get().domain()
            && last.get().gtid().seq() <= branch.get().seq()) {
          return Optional.of(ResumePoint.continuing(last.get().gtid(), last.get().schemaSequence()));
        }
        return last;
      }

      @Override
      public Optional<String> exclusiveOwner() {
        return journal.exclusiveOwner();
      }

      @Override
      public CompletableFuture<?> append(Transaction transaction) {
        return journal.append(transaction);
      }

      @Override
      public LargeTransaction beginLarge(Gtid gtid) {
        return journal.beginLarge(gtid);
      }

      @Override
      public StreamedTransaction beginStreamed(long key) {
        return journal.beginStreamed(key);
      }
    };
  }
}
