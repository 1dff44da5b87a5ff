package dev.ferry.node.cli;

import dev.ferry.journal.DurableFiles;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.RejoinRecord;
import dev.ferry.node.topology.Divergence;
import dev.ferry.node.topology.Promotion;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry rejoin}: fence an old primary after a promotion (docs/failover.md, "Fencing and
 * rejoining the old primary"). Compares its journal with the new primary's served journal by GTID and
 * content checksum, exports its divergent tail (the transactions after the branch point, never
 * merged) as JSON lines, records the fence in {@link RejoinRecord#FILE} so the old configuration's
 * {@code ferry run} refuses, and removes Ferry's source objects from the old primary's database so
 * it can be seeded as a replica of the new primary.
 */
@Command(name = "rejoin", mixinStandardHelpOptions = true,
    description = {"Fence the old primary after 'ferry promote --capture' on another node: compare its journal",
        "(journal.dir of -c, the old primary's configuration; its 'ferry run' stopped) with the new primary's",
        "journal served at --from by GTID and content checksum, export every old-primary transaction after the",
        "branch point to a JSON-lines file (--export), never merge them, refuse the old configuration's 'ferry run'",
        "from then on, and remove Ferry's source objects (slot, publication, _ferry schema) from the old primary's",
        "database. Then run this host as a replica node of the new primary: it re-seeds the tables. docs/failover.md."})
final class RejoinCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;

  @Option(names = "--from", required = true, paramLabel = "URL",
      description = "The new primary's journal over HTTP (its journal.serve.http), e.g. http://db-b:8451/")
  String from;

  @Option(names = "--export", paramLabel = "FILE",
      description = "Where the divergent transactions go (default: next to journal.dir, "
          + "<journal.dir>.divergent-after-<branch point>.jsonl).")
  Path export;

  @Spec CommandSpec spec;

  private SourcePosition lastSourcePosition = SourcePosition.NONE;

  @Override
  public Integer call() throws Exception {
    FerryConfig config = options.load();
    Path dir = config.journal().directory().toAbsolutePath();
    if (config.from().isPresent()) {
      throw new CliException("ferry rejoin runs with the old primary's configuration, but " + config.file()
          + " sets journal.from (a replica node): give -c the configuration the old primary captured with");
    }
    if (!Files.exists(SegmentFiles.idFile(dir))) {
      throw new CliException("journal.dir " + dir + " holds no journal (no " + SegmentFiles.ID_FILE + "): nothing to"
          + " rejoin");
    }
    options.startLogging(config);
    Optional<Closeable> hold = Journal.hold(dir);
    if (hold.isEmpty()) {
      throw new CliException("journal " + dir + " is held by another process (the old primary's 'ferry run'?): stop"
          + " it first (it holds " + SegmentFiles.lockFile(dir) + ")");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Closeable held = hold.get()) {
      Divergence d = divergence(dir, out);
      UncapturedTail.check(NodeSpecs.from(config).source(), lastSourcePosition, RejoinRecord.read(dir).isPresent());
      Path file = export != null ? export.toAbsolutePath()
          : dir.resolveSibling(dir.getFileName() + ".divergent-after-" + d.branchPoint() + ".jsonl");
      long exported = export(dir, d, file);
      out.printf("branch point %s (the new primary's first transaction: %s); divergent: %d transactions of the old"
          + " primary after it%s, never merged, exported to %s%n", d.branchPoint(), d.firstOfNewPrimary(), exported,
          d.firstDivergent().map(g -> " (" + g + ".." + d.tail().get(d.tail().size() - 1) + ")").orElse(""), file);
      new RejoinRecord(Instant.now(), from, d.branchPoint(), d.firstDivergent(), exported, file).write(dir);
    }
    NodeSpecs.from(config).source().tearDown();
    out.printf("source %s: Ferry's objects removed (slot, publication, _ferry schema); fenced in %s%n",
        config.source().name(), dir.resolve(RejoinRecord.FILE));
    out.printf("next: run this host as a replica node of %s (journal.from, a new journal.dir, source.url on the new"
        + " primary's database, this database as a replica): it seeds the tables from the new primary%n", from);
    out.flush();
    return 0;
  }

  private Divergence divergence(Path dir, PrintWriter out) throws IOException, InterruptedException {
    UUID id = JournalInspector.journalId(dir);
    Path fetched = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".new-primary-");
    try {
      NewPrimaryJournal.Fetched got = NewPrimaryJournal.fetch(from, id, dir, fetched);
      out.printf("compared with %s: %d segment(s) identical to this journal's, %d downloaded%n", from,
          got.shared(), got.segments());
      Files.copy(SegmentFiles.idFile(dir), SegmentFiles.idFile(fetched));
      return Divergence.find(transactions(dir, true), transactions(fetched, false), "the new primary's journal at " + from);
    } catch (Promotion.RefusedException e) {
      throw new CliException("ferry rejoin: " + e.getMessage() + "; nothing was changed");
    } finally {
      NewPrimaryJournal.delete(fetched);
    }
  }

  private List<Divergence.Tx> transactions(Path dir, boolean old) throws IOException, InterruptedException {
    return Divergence.read(dir, old ? tx -> lastSourcePosition = tx.sourcePosition() : tx -> { });
  }


  /** Writes the tail as {@code ferry journal dump --json} does (temp file, fsync, rename); returns the count. */
  private static long export(Path dir, Divergence d, Path file) throws Exception {
    long[] count = {0};
    Gtid last = d.tail().isEmpty() ? null : d.tail().get(d.tail().size() - 1);
    DurableFiles.write(file, channel -> {
      Writer w = Channels.newWriter(channel, StandardCharsets.UTF_8);
      PrintWriter out = new PrintWriter(w);
      if (last != null) {
        try (JournalReader reader = JournalReader.openAfter(dir, d.branchPoint())) {
          Optional<JournalTransaction> tx;
          while ((tx = reader.next(Duration.ZERO)).isPresent()) {
            try (var changes = tx.get().changes()) {
              JsonDump.transaction(out, tx.get(), changes);
            }
            count[0]++;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while exporting", e);
        }
      }
      out.flush();
    });
    return count[0];
  }
}
