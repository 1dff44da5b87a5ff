package dev.ferry.node.cli;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyException;
import dev.ferry.apply.jdbc.JdbcApplier;
import dev.ferry.journal.Journal;
import dev.ferry.journal.model.TableId;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.node.run.SameDatabaseGuard;
import dev.ferry.node.run.SourceSpec;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ferry setup}: prepare the source, the journal and the replicas. Idempotent. */
@Command(name = "setup", mixinStandardHelpOptions = true,
    description = {"Prepare the source, the journal and the replicas (idempotent).",
        "Check and prepare the source (PostgreSQL: settings, publication, slot, the _ferry schema;",
        "SQLite: change table and triggers), create the journal, and create each replica's ferry tables.",
        "Safe to run again. A PostgreSQL source needs a superuser here, once; 'ferry run' as a role",
        "that is no superuser then only checks what setup made."})
final class SetupCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(SetupCommand.class);

  @Mixin ConfigOptions options;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    FerryConfig config = options.load();
    refuseWhileStreaming(config);
    Preflight.all(config);
    options.startQuietLogging();
    // Every database is reached and told apart before anything is created anywhere: a replica
    // that is the source, or that cannot be reached, leaves no slot holding WAL on the source.
    NodeSpec node = SameDatabaseGuard.check(NodeSpecs.from(config), List.of(), SameDatabaseGuard.Unreachable.REFUSE);
    PrintWriter out = spec.commandLine().getOut();
    boolean journalExisted = Files.exists(node.journal().directory());
    SourceSpec.SetUp setUp = node.source().setUp();
    Optional<SourceSpec> slotCreatedOn = setUp.createdSlot() ? Optional.of(node.source()) : Optional.empty();
    List<TableId> tables = setUp.tables();
    out.printf("source %s: ready, capturing %d table(s): %s%n", node.source().name(), tables.size(), tables);
    try {
      prepareJournalAndReplicas(node, out);
    } catch (ApplyException e) {
      undo(node, slotCreatedOn, journalExisted, e);
      throw new CliException(e.getMessage() + undone(slotCreatedOn, journalExisted));
    } catch (Exception e) {
      undo(node, slotCreatedOn, journalExisted, e);
      throw e;
    }
    out.flush();
    return 0;
  }

  /**
   * Setup rewrites the publication and opens the journal for writing: beside a running
   * {@code ferry run} or {@code capture} it would change the publication and then fail on the
   * journal's lock, and a table it added would reach no replica with its existing rows. So it
   * refuses before touching anything.
   */
  private static void refuseWhileStreaming(FerryConfig config) throws java.io.IOException {
    Path journal = config.journal().directory().toAbsolutePath();
    if (Journal.inUse(journal)) {
      throw new CliException("journal " + journal + " is in use by a running 'ferry run' or 'ferry capture', so setup "
          + "changed nothing. To add a table while it streams, run 'ferry table add SCHEMA.TABLE' (it copies the "
          + "table's rows into every replica too); to run setup, stop that process first");
    }
  }

  private static void prepareJournalAndReplicas(NodeSpec node, PrintWriter out) throws Exception {
    Files.createDirectories(node.journal().directory());
    String journalId;
    try (Journal journal = Journal.open(node.journal())) {
      journalId = journal.id().toString();
    }
    out.printf("journal %s: ready (%s)%n", node.journal().directory(), journalId);
    for (ReplicaSpec r : node.replicas()) {
      try (Applier applier = JdbcApplier.open(r.forJournal(journalId), r::connect)) {
        String applied = applier.position().applied().toString();
        out.printf("replica %s: ready, %s%n", r.name(), applied.isEmpty() ? "nothing applied yet" : "applied " + applied);
      }
    }
  }

  private static String undone(Optional<SourceSpec> slotCreatedOn, boolean journalExisted) {
    return slotCreatedOn.isPresent() || !journalExisted
        ? "; setup removed what it had created (" + (slotCreatedOn.isPresent() ? "the slot, the publication and the"
            + " source's ferry schema" : "") + (slotCreatedOn.isPresent() && !journalExisted ? ", " : "")
            + (journalExisted ? "" : "the journal directory") + "): fix the replica and run setup again"
        : "; fix the replica and run setup again";
  }

  /**
   * A setup that failed after creating the slot removes what it created (slot, publication, the
   * source's ferry schema, a journal directory that did not exist), so no slot is left holding
   * WAL for a capture that never starts. What existed before it is kept.
   */
  private static void undo(NodeSpec node, Optional<SourceSpec> slotCreatedOn, boolean journalExisted,
      Exception cause) {
    try {
      if (slotCreatedOn.isPresent()) {
        slotCreatedOn.get().tearDown();
      }
      if (!journalExisted && Files.isDirectory(node.journal().directory())) {
        try (Stream<Path> files = Files.walk(node.journal().directory())) {
          for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
    } catch (Exception e) {
      cause.addSuppressed(e);
      log.warn("setup failed and could not undo everything it created: {}", e.getMessage());
    }
  }
}
