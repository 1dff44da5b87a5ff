package dev.ferry.node.cli;

import dev.ferry.apply.sync.CopyOptions;
import dev.ferry.journal.model.TableId;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.node.run.TableCopies;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry table add|resync}: bring tables into replicas while replication streams. */
@Command(name = "table", mixinStandardHelpOptions = true,
    description = "Add tables to a running replication, or copy one table into replicas again.",
    subcommands = {TableCommand.Add.class, TableCommand.Resync.class})
final class TableCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** What add and resync share: configuration, the source's table copies, the copy and its outcome lines. */
  abstract static class TableCopying implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Spec CommandSpec spec;

    @Override
    public final Integer call() throws IOException {
      FerryConfig config = options.load();
      options.startQuietLogging();
      NodeSpec node = NodeSpecs.from(config);
      TableCopies copies = node.source().tableCopies(spec.qualifiedName()).orElseThrow(CliException::new);
      Path journal = ReplicaCommand.journalOf(config);
      PrintWriter out = spec.commandLine().getOut();
      List<TableId> tables = tables(copies.defaultSchema());
      boolean publish = check(config, copies, tables, out);
      AtomicBoolean done = new AtomicBoolean();
      Thread warn = new Thread(() -> stopped(done, tables));
      Runtime.getRuntime().addShutdownHook(warn);
      try (OperationStatus op = OperationStatus.start(config, "table " + spec.name(),
          String.join(", ", tables.stream().map(TableId::toString).toList()))) {
        copies.copy(tables, replicas(node), journal, publish, CopyOptions.DEFAULTS.watchedBy(op.watcher()), line -> {
          out.println(line);
          out.flush();
        });
      } finally {
        done.set(true);
      }
      out.flush();
      return 0;
    }

    /** The tables named on the command line, those without a schema in {@code schema}. */
    abstract List<TableId> tables(String schema);

    /** Checks the tables; returns whether they are to be added to the publication. */
    abstract boolean check(FerryConfig config, TableCopies source, List<TableId> tables, PrintWriter out)
        throws IOException;

    /** The replicas to copy into. */
    abstract List<ReplicaSpec> replicas(NodeSpec node);

    /** Ctrl-C or SIGTERM mid-copy: what was left and how to go on. */
    private static void stopped(AtomicBoolean done, List<TableId> tables) {
      if (!done.get()) {
        System.err.println("stopped before the copy of " + tables + " was done: replicas marked COPYING hold its "
            + "changes back until the same command runs again (it copies from a new snapshot)");
      }
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = {"Add tables to a running replication and copy their rows into every replica.",
          "Works while 'ferry run' streams: the tables join the publication, are copied from a snapshot, and each",
          "replica skips the changes the copy already holds and applies the later ones.",
          "Run it again after an interruption. A SQLite source's tables get their capture triggers instead."})
  static final class Add extends TableCopying {
    @Parameters(paramLabel = "SCHEMA.TABLE", arity = "1..*",
        description = "The tables to add (a name without schema is in public; in main for a SQLite source).")
    List<String> names;

    @Override
    List<TableId> tables(String schema) {
      return names.stream().map(n -> tableId(n, schema)).distinct().toList();
    }

    @Override
    boolean check(FerryConfig config, TableCopies source, List<TableId> tables, PrintWriter out)
        throws IOException {
      List<TableId> unselected = new ArrayList<>();
      for (TableId t : tables) {
        if (!config.source().tables().accepts(t.schema() + "." + t.name())) {
          unselected.add(t);
        }
      }
      if (!unselected.isEmpty()) {
        throw new CliException("tables " + unselected + " are not selected by source.tables in " + config.file()
            + " (" + config.source().tables() + "), so Ferry would stop capturing them again (a later 'ferry setup' "
            + "or restarted capture follows source.tables): add a pattern matching them (e.g. '"
            + regex(unselected.getFirst()) + "') to source.tables.include, or remove the exclude pattern that matches "
            + "them, then run this again");
      }
      for (TableId t : tables) {
        if (source.captures(t)) {
          out.println("table " + t + " is in " + source.capturedBy() + " already: copying it again");
        }
      }
      return true;
    }

    @Override
    List<ReplicaSpec> replicas(NodeSpec node) {
      return node.replicas();
    }
  }

  @Command(name = "resync", mixinStandardHelpOptions = true,
      description = {"Copy one replicated table into every replica (or one) again.",
          "Works while 'ferry run' streams: the table is emptied on the replica and copied from a snapshot, and the",
          "replica applies the changes after it."})
  static final class Resync extends TableCopying {
    @Parameters(paramLabel = "SCHEMA.TABLE",
        description = "The table (a name without schema is in public; in main for a SQLite source).") String name;

    @Option(names = "--replica", paramLabel = "NAME", description = "Only this replica (default: every replica).")
    Optional<String> replica;

    @Override
    List<TableId> tables(String schema) {
      return List.of(tableId(name, schema));
    }

    @Override
    boolean check(FerryConfig config, TableCopies source, List<TableId> tables, PrintWriter out)
        throws IOException {
      if (replica.isPresent() && !NodeSpecs.replicaNames(config).contains(replica.get())) {
        throw new UsageException("replica " + replica.get() + ": no such replica in " + config.file() + " (it has "
            + NodeSpecs.replicaNames(config) + ")");
      }
      for (TableId t : tables) {
        if (!source.captures(t)) {
          throw new CliException("table " + t + " is not in " + source.capturedBy()
              + ", so it is not replicated: add it with 'ferry table add " + t + "'");
        }
      }
      return false;
    }

    @Override
    List<ReplicaSpec> replicas(NodeSpec node) {
      return replica.map(n -> List.of(node.replica(n))).orElse(node.replicas());
    }
  }

  /** {@code schema.table}, or {@code table} in {@code schema}. */
  static TableId tableId(String text, String schema) {
    try {
      return text.contains(".") ? TableId.parse(text) : new TableId(schema, text);
    } catch (IllegalArgumentException e) {
      throw new UsageException("'" + text + "' is no table name: write schema.table (" + e.getMessage() + ")");
    }
  }

  private static String regex(TableId t) {
    return t.schema().replace(".", "\\.") + "\\." + t.name().replace(".", "\\.");
  }
}
