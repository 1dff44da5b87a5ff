package dev.ferry.node.cli;

import dev.ferry.apply.jdbc.ConflictStore;
import dev.ferry.apply.jdbc.ConflictStore.Conflict;
import dev.ferry.node.admin.ConflictQuery;
import dev.ferry.node.run.StatusJson;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry conflicts}: the conflicts a node's replicas recorded on their targets (docs/cli.md),
 * listed, one shown with its rows, or one marked resolved — from the targets of the configuration,
 * or with {@code --url} through a running node's admin API.
 */
@Command(name = "conflicts", mixinStandardHelpOptions = true,
    description = {"List the conflicts a node's replicas recorded on their targets, newest first.",
        "Reads each replica's conflicts table (-c), or a running node's admin API with --url (token from",
        "FERRY_TOKEN). 'conflicts show ID' shows one with its local and remote rows, 'conflicts resolve ID'",
        "marks one resolved."},
    subcommands = {ConflictsCommand.Show.class, ConflictsCommand.Resolve.class})
final class ConflictsCommand implements Callable<Integer> {
  @Mixin Where where;

  @Option(names = "--table", paramLabel = "SCHEMA.TABLE", description = "Only this table's.")
  String table;

  @Option(names = "--type", paramLabel = "TYPE",
      description = "Only this type: insert_exists, update_exists, update_missing, delete_missing, update_differs,"
          + " delete_differs, skipped.")
  String type;

  @Option(names = "--since", paramLabel = "TIME",
      description = "Only those detected at or after TIME (2026-12-06T10:00:00Z), or in the last TIME (30m, 2h, 7d).")
  String since;

  @Option(names = "--unresolved", description = "Only those no one marked resolved.")
  boolean unresolved;

  @Option(names = "--resolved", description = "Only those marked resolved.")
  boolean resolved;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "" + ConflictQuery.DEFAULT_LIMIT,
      description = "At most N (1 to 1000; default 100).")
  String limit;

  @Option(names = "--json", description = "Print a JSON array, as GET /api/conflicts answers.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (resolved && unresolved) {
      throw new UsageException("give --resolved or --unresolved, not both");
    }
    Map<String, String> params = new LinkedHashMap<>();
    Optional.ofNullable(table).ifPresent(t -> params.put("table", t));
    Optional.ofNullable(type).ifPresent(t -> params.put("type", t));
    Optional.ofNullable(since).ifPresent(t -> params.put("since", t));
    if (resolved || unresolved) {
      params.put("resolved", String.valueOf(resolved));
    }
    params.put("limit", limit);
    ConflictSource.query(params); // bad input is refused before a database or node is asked
    ConflictSource source = where.source();
    List<Conflict> found = source.listAll(source.replicas(where.replica()), params);
    return print(spec, json, found, out -> ConflictsText.table(out, found));
  }

  /** Where the conflicts are and whose: the options every {@code conflicts} command takes. */
  static final class Where {
    @Mixin ConfigOptions options;

    @Option(names = "--url", paramLabel = "URL",
        description = "Ask the node at URL (http://host:port, its http.listen) through its admin API.")
    String url;

    @Option(names = "--replica", paramLabel = "NAME",
        description = "The replica (may be left out when the node applies only one; the list then shows all).")
    String replica;

    Optional<String> replica() {
      return Optional.ofNullable(replica).map(String::strip);
    }

    ConflictSource source() {
      if (url != null) {
        return new ConflictSource.Remote(RemoteNode.at(url));
      }
      ConflictSource local = new ConflictSource.Local(options.load());
      options.startQuietLogging();
      return local;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Show one conflict: when, GTID, type, table, key, the local and the remote row, what was done.")
  static final class Show implements Callable<Integer> {
    @Mixin Where where;
    @Parameters(paramLabel = "ID", description = "The conflict's id (each replica's target numbers its own).")
    String id;
    @Option(names = "--json", description = "Print the JSON object GET /api/conflicts/{id} answers.") boolean json;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      long n = id(id);
      ConflictSource source = where.source();
      Conflict conflict = source.show(source.oneReplica(where.replica()), n);
      return print(spec, json, conflict, out -> ConflictsText.one(out, conflict));
    }
  }

  @Command(name = "resolve", mixinStandardHelpOptions = true,
      description = {"Mark one conflict resolved.",
          "When, by whom (your user name) and why (--note) are recorded in the replica's conflicts table. Works",
          "on a read-only replica (as Ferry's own session). Exit 1 when it was resolved already or there is no",
          "such conflict."})
  static final class Resolve implements Callable<Integer> {
    @Mixin Where where;
    @Parameters(paramLabel = "ID", description = "The conflict's id.") String id;
    @Option(names = "--note", paramLabel = "TEXT", description = "Why, or what was done about it.") String note;
    @Option(names = "--json", description = "Print the conflict as marked, as JSON.") boolean json;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      long n = id(id);
      ConflictSource source = where.source();
      String replica = source.oneReplica(where.replica());
      Conflict conflict = source.resolve(replica, n, new ConflictStore.Resolution(Instant.now(),
          System.getProperty("user.name", "unknown"), Optional.ofNullable(note).filter(t -> !t.isBlank())));
      return print(spec, json, conflict, out -> out.printf("conflict %d of replica %s resolved at %s by %s%n",
          conflict.id(), replica, conflict.resolvedAt().map(Instant::toString).orElse("?"),
          conflict.resolvedBy().orElse("?")));
    }
  }

  /** Prints {@code document} as JSON with {@code json}, else as {@code text} writes it; exit 0. */
  private static int print(CommandSpec spec, boolean json, Object document, Consumer<PrintWriter> text) {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(StatusJson.write(document));
    } else {
      text.accept(out);
    }
    out.flush();
    return 0;
  }

  private static long id(String text) {
    try {
      return ConflictQuery.number("conflict id", text);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
