package dev.ferry.node.config;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ConflictPolicy;
import dev.ferry.capture.binlog.MariaDbSourceConfig;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.capture.trigger.SqliteSourceConfig;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.model.TableFilter;
import dev.ferry.node.config.SourceSettings.GtidSettings;
import dev.ferry.node.run.ApplyControls;
import dev.ferry.node.run.SourceSpec;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.archive.ArchiveConfig;
import dev.ferry.transport.archive.ArchiveTarget;
import dev.ferry.transport.http.HttpServeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns the parsed file into {@link FerryConfig}: each section read with its defaults (written here
 * next to each key), then the checks that span sections. Reads no database and creates nothing;
 * the only file-system access is asking whether {@code journal.dir} is a regular file.
 */
final class ConfigReader {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,63}");
  private static final Pattern PG_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  /**
   * The file's default for both kinds. PostgreSQL capture's own default is the same; SQLite
   * capture's ({@link SqliteSourceConfig#of}, 10,000, used by the demo) is not.
   */
  static final int DEFAULT_CHUNK_CHANGES = 4096;
  /** The journal refuses smaller segments too; here it is refused with the key's name. */
  static final DataSize MIN_SEGMENT_SIZE = DataSize.ofKibibytes(4);

  private ConfigReader() {
  }

  static FerryConfig read(YamlNode.MapNode tree, Section.Context ctx) throws ConfigException {
    Section root = Section.root(ctx, tree, "source", "journal", "replicas", "log", "status", "http");
    Section sourceSection = root.requiredSection("source", "name", "url", "password", "tables", "slot",
        "publication", "gtid", "chunk-changes", "poll-interval", "binlog-server-id", "streaming",
        "forward-origins");
    SourceSettings source = source(sourceSection);
    Section journalSection = root.requiredSection("journal", "dir", "segment-size", "segment-age", "archive",
        "retain", "from", "serve", "push");
    JournalSettings journalSettings = journal(journalSection);
    JournalConfig journal = journalSettings.journal();
    List<Section> replicaSections = root.sections("replicas", "name", "url", "password", "mode", "conflicts",
        "tables", "skip-ddl", "grouping", "apply", "until", "delay");
    List<ReplicaSettings> replicas = new ArrayList<>();
    for (Section r : replicaSections) {
      replicas.add(replica(r, source.name()));
    }
    checkReplicas(sourceSection, source, replicaSections, replicas);
    LogSettings log = log(root, journal);
    StatusSettings status = status(root, journal);
    Optional<HttpServeConfig> http = HttpSettings.read(root, journalSettings.serve(),
        journalSettings.serve().isPresent() ? journalSection.lineOf("serve") : 0);
    return new FerryConfig(ctx.file(), source, journal, journalSettings.archive(), journalSettings.from(),
        journalSettings.serve(), journalSettings.push(), replicas, log, status, http);
  }

  /** The source: the one place its URL's kind picks the capture (PostgreSQL's or SQLite's). */
  private static SourceSettings source(Section s) throws ConfigException {
    String name = name(s);
    JdbcUrl url = url(s);
    Optional<Secret> password = password(s, url);
    return switch (url.kind()) {
      case POSTGRESQL -> {
        Tables tables = tables(s, List.of(Pattern.compile("public\\..*")));
        if (s.has("poll-interval")) {
          throw s.error("poll-interval", "applies to SQLite sources only; source.url is a PostgreSQL database");
        }
        yield new SourceSettings(url, password, tables, postgres(s, name, url, tables));
      }
      case SQLITE -> {
        Tables tables = tables(s, List.of(Pattern.compile("main\\..*")));
        for (String k : List.of("slot", "publication", "streaming")) {
          if (s.has(k)) {
            throw s.error(k, "applies to PostgreSQL sources only; source.url is a SQLite database");
          }
        }
        yield new SourceSettings(url, password, tables, sqlite(s, name, url, tables));
      }
      case MARIADB -> {
        Tables tables = tables(s, List.of(Pattern.compile(".*")));
        for (String k : List.of("slot", "publication", "poll-interval", "gtid", "streaming")) {
          if (s.has(k)) {
            throw s.error(k, "does not apply to MariaDB sources (source.url is a MariaDB database; the journal keeps"
                + " MariaDB's own GTIDs)");
          }
        }
        yield new SourceSettings(url, password, tables, mariadb(s, name, url, tables));
      }
    };
  }

  /** MariaDB binlog capture with the file's settings, the capture's own defaults for keys not given. */
  private static SourceSpec mariadb(Section s, String name, JdbcUrl url, Tables tables) throws ConfigException {
    MariaDbSourceConfig d = MariaDbSourceConfig.of(name, url.value());
    long serverId = s.integer("binlog-server-id", d.replicaServerId(), 1, 0xFFFF_FFFFL);
    return new SourceSpec.MariaDb(d.withTables(new TableFilter(includeOrAll(tables), tables.exclude()))
        .withReplicaServerId(serverId).withChunkChanges(chunkChanges(s))
        .withForwardApplied(s.bool("forward-origins", false)));
  }

  /** PostgreSQL capture with the file's settings, the capture's own defaults for keys not given. */
  private static SourceSpec postgres(Section s, String name, JdbcUrl url, Tables tables) throws ConfigException {
    PostgresSourceConfig d = PostgresSourceConfig.of(name, url.value());
    String defaultId = d.slotName().length() > 63 ? d.slotName().substring(0, 63) : d.slotName();
    String slot = pgIdentifier(s, "slot", defaultId);
    String publication = pgIdentifier(s, "publication", defaultId);
    GtidSettings gtid = gtid(s);
    return new SourceSpec.Postgres(new PostgresSourceConfig(name, url.value(), slot, publication, includeOrAll(tables),
        tables.exclude(), gtid.domain(), gtid.serverId(), chunkChanges(s), d.chunkBytes(), d.statusInterval(),
        d.reconnectMin(), d.reconnectMax(), onOff(s, "streaming", d.streaming()),
        s.bool("forward-origins", false)));
  }

  private static boolean onOff(Section s, String key, boolean defaultValue) throws ConfigException {
    Optional<String> v = s.string(key);
    if (v.isEmpty()) {
      return defaultValue;
    }
    return switch (v.get().strip()) {
      case "on" -> true;
      case "off" -> false;
      default -> throw s.error(key, "'" + v.get() + "' is not on or off");
    };
  }

  /** SQLite capture with the file's settings, the capture's own defaults for keys not given. */
  private static SourceSpec sqlite(Section s, String name, JdbcUrl url, Tables tables) throws ConfigException {
    SqliteSourceConfig d = SqliteSourceConfig.of(name, url.value());
    GtidSettings gtid = gtid(s);
    int chunk = chunkChanges(s);
    return new SourceSpec.Sqlite(new SqliteSourceConfig(name, url.value(),
        new TableFilter(includeOrAll(tables), tables.exclude()), gtid.domain(), gtid.serverId(), chunk,
        s.duration("poll-interval", d.idlePoll()), s.bool("forward-origins", false)));
  }

  private static int chunkChanges(Section s) throws ConfigException {
    return (int) s.integer("chunk-changes", DEFAULT_CHUNK_CHANGES, 1, Integer.MAX_VALUE);
  }

  private static GtidSettings gtid(Section s) throws ConfigException {
    Optional<Section> g = s.section("gtid", "domain", "server-id");
    if (g.isEmpty()) {
      return GtidSettings.DEFAULT;
    }
    return new GtidSettings(g.get().integer("domain", GtidSettings.DEFAULT.domain(), 0, GtidSettings.MAX),
        g.get().integer("server-id", GtidSettings.DEFAULT.serverId(), 0, GtidSettings.MAX));
  }

  /** The capture modules read an empty include list as "no table"; in the file it means every table. */
  private static List<Pattern> includeOrAll(Tables tables) {
    return tables.include().isEmpty() ? List.of(Pattern.compile(".*")) : tables.include();
  }

  private static String pgIdentifier(Section s, String k, String defaultValue) throws ConfigException {
    String v = s.string(k).orElse(defaultValue);
    if (!PG_IDENTIFIER.matcher(v).matches()) {
      throw s.error(k, "'" + v + "' is not a lower-case PostgreSQL name (a-z, 0-9, _; at most 63; not starting with a digit)");
    }
    return v;
  }

  private static String name(Section s) throws ConfigException {
    String name = s.requiredString("name");
    if (!NAME.matcher(name).matches()) {
      throw s.error("name", "'" + name + "' is not a name (1 to 63 of A-Z, a-z, 0-9, _, ., -)");
    }
    return name;
  }

  private static JdbcUrl url(Section s) throws ConfigException {
    String raw = s.requiredString("url");
    try {
      return JdbcUrl.parse(raw.strip());
    } catch (IllegalArgumentException e) {
      throw s.error("url", e.getMessage());
    }
  }

  private static Optional<Secret> password(Section s, JdbcUrl url) throws ConfigException {
    Optional<String> password = s.string("password");
    if (password.isPresent() && !url.kind().takesPassword()) {
      throw s.error("password", "SQLite databases have no password; remove the key");
    }
    return password.map(Secret::new);
  }

  private static Tables tables(Section s, List<Pattern> defaultInclude) throws ConfigException {
    Optional<Section> t = s.section("tables", "include", "exclude");
    if (t.isEmpty()) {
      return new Tables(defaultInclude, List.of());
    }
    return new Tables(t.get().patterns("include", defaultInclude), t.get().patterns("exclude", List.of()));
  }

  /** The {@code journal:} section: the journal's own settings and the archiver's ({@code archive}). */
  private record JournalSettings(JournalConfig journal, ArchiveConfig archive, Optional<JournalFrom> from,
      Optional<HttpServeConfig> serve, List<dev.ferry.transport.push.PushTarget> push) {
  }

  /**
   * The journal's and the archiver's settings, their defaults ({@link JournalConfig#defaults},
   * {@link ArchiveConfig#defaults}) for keys not given. An archived journal keeps each sealed
   * segment until the archiver has shipped it.
   */
  private static JournalSettings journal(Section s) throws ConfigException {
    Path dir = s.path("dir").orElseThrow(() -> s.missing("dir"));
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw s.error("dir", "'" + dir + "' exists and is not a directory");
    }
    JournalConfig defaults = JournalConfig.defaults(dir);
    DataSize segmentSize = s.size("segment-size", DataSize.ofBytes(defaults.segmentBytes()), MIN_SEGMENT_SIZE);
    Duration segmentAge = s.duration("segment-age", defaults.segmentAge());
    ArchiveConfig archive = ArchiveConfig.defaults();
    Optional<Section> a = s.section("archive", "dir", "command");
    if (a.isPresent()) {
      archive = archive.withTarget(archive(a.get(), dir));
    }
    DataSize retain = s.size("retain", DataSize.ofBytes(0), DataSize.ofBytes(0));
    if (retain.bytes() > 0 && retain.compareTo(segmentSize) < 0) {
      throw s.error("retain", retain + " is smaller than one segment (segment-size " + segmentSize
          + "); use 0 for no cap");
    }
    Optional<JournalFrom> from = from(s, dir);
    Optional<HttpServeConfig> serve = TransportSettings.serve(s);
    List<dev.ferry.transport.push.PushTarget> push = PushSettings.push(s);
    if (from.isPresent() && !push.isEmpty()) {
      throw s.error("push", "a journal copy (" + s.key("from") + ", line " + s.lineOf("from")
          + ") is not pushed again: cascading over push is not built yet (serve.http serves the copy on)");
    }
    return new JournalSettings(defaults.withSegmentBytes(segmentSize.bytes()).withSegmentAge(segmentAge)
        .withKeepUntilShipped(archive.enabled()).withRetainedBytesCap(retain.bytes()), archive, from, serve, push);
  }

  /**
   * {@code journal.from}: this node keeps a copy of another node's journal, received by a
   * transport, instead of capturing its source. The copy's segments are the primary's as they
   * are, so the keys that shape segments or ship them do not apply.
   */
  private static Optional<JournalFrom> from(Section journal, Path journalDir) throws ConfigException {
    Optional<Section> f = journal.section("from", "directory", "http", "listen", "poll-interval");
    if (f.isEmpty()) {
      return Optional.empty();
    }
    for (String k : List.of("segment-size", "segment-age", "archive")) {
      if (journal.has(k)) {
        throw journal.error(k, "does not apply to a journal copy (" + journal.key("from") + ", line "
            + journal.lineOf("from") + "): its segments are the primary's, as the primary wrote them");
      }
    }
    Section from = f.get();
    if (from.has("http")) {
      return Optional.of(TransportSettings.http(from));
    }
    if (from.has("listen")) {
      return Optional.of(PushSettings.listen(from));
    }
    Path incoming = from.path("directory").orElseThrow(() -> from.has("directory") ? from.missing("directory")
        : from.error("directory", "required key is missing (or give http: the URL of a server of the primary's"
        + " segments, or listen: where the primary pushes to)"));
    if (incoming.equals(journalDir)) {
      throw from.error("directory", "is journal.dir itself; the copy and the incoming directory must differ");
    }
    if (Files.exists(incoming) && !Files.isDirectory(incoming)) {
      throw from.error("directory", "'" + incoming + "' exists and is not a directory");
    }
    Duration poll = from.duration("poll-interval", JournalFrom.Directory.DEFAULT_POLL);
    if (!poll.isPositive()) {
      throw from.error("poll-interval", "must be positive");
    }
    return Optional.of(new JournalFrom.Directory(incoming, poll));
  }

  private static ArchiveTarget archive(Section a, Path journalDir) throws ConfigException {
    boolean hasDir = a.has("dir");
    boolean hasCommand = a.has("command");
    if (hasDir && hasCommand) {
      int later = Math.max(a.lineOf("dir"), a.lineOf("command"));
      String k = later == a.lineOf("dir") ? "dir" : "command";
      String other = k.equals("dir") ? "command" : "dir";
      throw a.error(k, "contradicts " + a.key(other) + " (line " + a.lineOf(other) + "): give a directory or a command, not both");
    }
    if (hasDir) {
      Path dir = a.path("dir").orElseThrow();
      if (dir.equals(journalDir)) {
        throw a.error("dir", "is the journal directory itself; archive elsewhere");
      }
      return new ArchiveTarget.Directory(dir);
    }
    if (hasCommand) {
      return new ArchiveTarget.Command(a.requiredString("command"));
    }
    return ArchiveTarget.NONE;
  }

  /** A replica, its apply settings built here with the apply module's defaults for keys not given. */
  private static ReplicaSettings replica(Section s, String sourceName) throws ConfigException {
    String name = name(s);
    JdbcUrl url = url(s);
    Optional<Secret> password = password(s, url);
    ReplicaSettings.Mode mode = s.choice("mode", ReplicaSettings.Mode.READ_ONLY);
    ApplyConfig defaults = ApplyConfig.defaults(name, sourceName);
    ConflictPolicy conflicts = s.choice("conflicts", defaults.conflictPolicy());
    Tables tables = tables(s, List.of());
    boolean skipDdl = s.bool("skip-ddl", defaults.skipDdl());
    ApplyConfig.Grouping grouping = defaults.grouping();
    Optional<Section> g = s.section("grouping", "max-transactions", "max-bytes", "max-delay");
    if (g.isPresent()) {
      grouping = new ApplyConfig.Grouping(
          (int) g.get().integer("max-transactions", grouping.maxTransactions(), 1, Integer.MAX_VALUE),
          g.get().size("max-bytes", DataSize.ofBytes(grouping.maxBytes()), DataSize.ofBytes(1)).bytes(),
          g.get().duration("max-delay", grouping.maxDelay()));
    }
    ApplyConfig.Parallel parallel = defaults.parallel();
    Optional<Section> a = s.section("apply", "workers", "commit-order");
    if (a.isPresent()) {
      String given = a.get().string("workers").map(String::strip).orElse("auto");
      if (!given.equals("auto") && !given.matches("-?\\d{1,18}")) {
        throw a.get().error("workers", "'" + given + "' is neither auto nor a whole number");
      }
      java.util.OptionalInt workers = given.equals("auto") ? java.util.OptionalInt.empty()
          : java.util.OptionalInt.of((int) a.get().integer("workers", 1, 1, ApplyConfig.Parallel.MAX_WORKERS));
      parallel = new ApplyConfig.Parallel(workers, a.get().choice("commit-order", parallel.commitOrder()));
    }
    ApplyConfig apply = defaults.withConflictPolicy(conflicts).withGrouping(grouping).withParallel(parallel)
        .withFilter(new TableFilter(tables.include(), tables.exclude())).withSkipDdl(skipDdl)
        .withReadOnlyReplica(mode == ReplicaSettings.Mode.READ_ONLY);
    return new ReplicaSettings(name, url, password, mode, apply, controls(s));
  }

  /** {@code until} and {@code delay} of a replica (docs/failover.md). */
  private static ApplyControls controls(Section s) throws ConfigException {
    Optional<ApplyControls.Until> until = Optional.empty();
    if (s.string("until").isPresent()) {
      try {
        until = Optional.of(ApplyControls.Until.parse(s.string("until").get()));
      } catch (IllegalArgumentException e) {
        throw s.error("until", e.getMessage());
      }
    }
    return new ApplyControls(until, s.duration("delay", Duration.ZERO));
  }

  private static void checkReplicas(Section sourceSection, SourceSettings source, List<Section> sections,
      List<ReplicaSettings> replicas) throws ConfigException {
    Path cwd = Path.of("").toAbsolutePath();
    for (int i = 0; i < replicas.size(); i++) {
      ReplicaSettings r = replicas.get(i);
      Section s = sections.get(i);
      if (r.url().sameDatabaseAs(source.url(), cwd)) {
        throw s.error("url", "names the source's database (source.url, line " + sourceSection.lineOf("url")
            + "); a replica must be another database");
      }
      for (int j = 0; j < i; j++) {
        ReplicaSettings earlier = replicas.get(j);
        Section e = sections.get(j);
        if (earlier.name().equals(r.name())) {
          throw s.error("name", "'" + r.name() + "' is already the name of " + e.path() + " (line "
              + e.lineOf("name") + ")");
        }
        if (earlier.url().sameDatabaseAs(r.url(), cwd)) {
          throw s.error("url", "names the same database as " + e.key("url") + " (line " + e.lineOf("url") + ")");
        }
      }
    }
  }

  private static LogSettings log(Section root, JournalConfig journal) throws ConfigException {
    Optional<Section> s = root.section("log", "dir", "level");
    if (s.isEmpty()) {
      return new LogSettings(journal.directory(), LogSettings.Level.INFO);
    }
    return new LogSettings(s.get().path("dir").orElse(journal.directory()),
        s.get().choice("level", LogSettings.Level.INFO));
  }

  private static StatusSettings status(Section root, JournalConfig journal) throws ConfigException {
    Path defaultFile = journal.directory().resolve("status.json");
    Optional<Section> s = root.section("status", "file");
    if (s.isEmpty()) {
      return new StatusSettings(defaultFile);
    }
    Path file = s.get().path("file").orElse(defaultFile);
    if (Files.isDirectory(file)) {
      throw s.get().error("file", "'" + file + "' is a directory; name a file");
    }
    return new StatusSettings(file);
  }
}
