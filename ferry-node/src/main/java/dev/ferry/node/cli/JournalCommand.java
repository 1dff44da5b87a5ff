package dev.ferry.node.cli;

import dev.ferry.journal.ChangeCursor;
import dev.ferry.journal.JournalCorruptionException;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.JournalVerifier;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.model.Gtid;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry journal ls|verify|dump [DIR]}: look into a journal directory (read-only): DIR, else
 * the {@code journal.dir} of the configuration ({@code -c}, {@code $FERRY_CONFIG}, ferry.yaml).
 */
@Command(name = "journal", mixinStandardHelpOptions = true,
    description = {"Inspect a journal directory (read-only; safe while Ferry writes to it).",
        "DIR defaults to journal.dir of the configuration (-c FILE, $FERRY_CONFIG, else ferry.yaml)."},
    subcommands = {JournalCommand.Ls.class, JournalCommand.Verify.class, JournalCommand.Dump.class})
final class JournalCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** DIR when given, else the configuration's {@code journal.dir}; it must hold a journal. */
  static Path existingJournal(Optional<Path> given, ConfigOptions options) {
    Path dir = given.orElseGet(() -> options.load().journal().directory().toAbsolutePath());
    options.startQuietLogging();
    return existingJournal(dir);
  }

  private static Path existingJournal(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new CliException("journal directory " + dir + " does not exist");
    }
    if (!Files.exists(SegmentFiles.idFile(dir))) {
      throw new CliException(dir + " is not a Ferry journal (no " + SegmentFiles.ID_FILE + " in it)");
    }
    return dir;
  }

  @Command(name = "ls", mixinStandardHelpOptions = true,
      description = "List the segments: number, state, size, records, first and last GTID.")
  static final class Ls implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", arity = "0..1",
        description = "The journal directory (default: journal.dir of the configuration).") Path given;
    @Mixin ConfigOptions options;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      Path dir = existingJournal(Optional.ofNullable(given), options);
      PrintWriter out = spec.commandLine().getOut();
      List<SegmentInfo> segments = JournalInspector.list(dir);
      out.printf("journal %s in %s, purged through segment %d%n", JournalInspector.journalId(dir), dir,
          JournalInspector.purgedThrough(dir));
      out.printf("%-20s %-8s %12s %10s  %-20s %-20s %s%n", "SEGMENT", "STATE", "BYTES", "RECORDS", "FIRST GTID",
          "LAST GTID", "FILE");
      for (SegmentInfo s : segments) {
        out.printf("%-20d %-8s %12d %10d  %-20s %-20s %s%n", s.number(), s.state(), s.sizeBytes(), s.recordCount(),
            s.firstGtid().map(Gtid::toString).orElse("-"), s.lastGtid().map(Gtid::toString).orElse("-"),
            s.path().getFileName());
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = {"Check every segment header, record checksum, type and length, the segment numbering,",
          "and the GTIDs (no duplicate, none going backwards, no gap, no foreign domain; a MariaDB",
          "source's own GTIDs keep its holes and domains, rising within each domain).",
          "Exit code 1, naming segment, offset and GTID, on any problem."})
  static final class Verify implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", arity = "0..1",
        description = "The journal directory (default: journal.dir of the configuration).") Path given;
    @Mixin ConfigOptions options;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      Path dir = existingJournal(Optional.ofNullable(given), options);
      JournalVerifier.Report report = JournalVerifier.verify(dir);
      if (report.ok()) {
        spec.commandLine().getOut().printf("ok: %d segments, %d records, no corruption, no gap%n",
            report.segments(), report.records());
        spec.commandLine().getOut().flush();
        return 0;
      }
      PrintWriter err = spec.commandLine().getErr();
      for (JournalVerifier.Problem p : report.problems()) {
        err.println("ferry journal verify: " + p);
      }
      err.printf("%d problem(s) in %d segments (%d records read)%n", report.problems().size(), report.segments(),
          report.records());
      err.flush();
      return 1;
    }
  }

  @Command(name = "dump", mixinStandardHelpOptions = true,
      description = "Print the committed transactions, oldest first (or after --from).")
  static final class Dump implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", arity = "0..1",
        description = "The journal directory (default: journal.dir of the configuration).") Path given;
    @Mixin ConfigOptions options;

    @Option(names = "--from", paramLabel = "GTID", description = "Start just after this GTID (domain-server-seq).")
    String from;

    @Option(names = "--json", description = "One JSON object per transaction per line.")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
      Path dir = existingJournal(Optional.ofNullable(given), options);
      Optional<Gtid> after = Optional.ofNullable(from).map(Dump::gtid);
      PrintWriter out = spec.commandLine().getOut();
      try (JournalReader reader = after.isPresent() ? JournalReader.openAfter(dir, after.get())
          : JournalReader.openAtOldest(dir)) {
        Optional<JournalTransaction> tx;
        while ((tx = reader.next(Duration.ZERO)).isPresent()) {
          try (ChangeCursor changes = tx.get().changes()) {
            if (json) {
              JsonDump.transaction(out, tx.get(), changes);
            } else {
              TextDump.transaction(out, tx.get(), changes);
            }
          }
        }
      } catch (JournalCorruptionException e) {
        out.flush();
        throw new CliException("journal is corrupt: " + e.getMessage() + " (run 'ferry journal verify " + dir + "')");
      }
      out.flush();
      return 0;
    }

    private static Gtid gtid(String text) {
      try {
        return Gtid.parse(text);
      } catch (IllegalArgumentException e) {
        throw new CliException("--from: " + e.getMessage());
      }
    }
  }
}
