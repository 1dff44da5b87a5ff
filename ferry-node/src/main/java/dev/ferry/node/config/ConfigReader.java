package dev.ferry.node.config;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ConflictPolicy;
import dev.ferry.journal.ArchiveTarget;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.TableFilter;
import dev.ferry.node.config.SourceSettings.GtidSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
  static final int DEFAULT_CHUNK_CHANGES = 4096;
  static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);
  /** The journal refuses smaller segments too; here it is refused with the key's name. */
  static final DataSize MIN_SEGMENT_SIZE = DataSize.ofKibibytes(4);

  private ConfigReader() {
  }

  static FerryConfig read(YamlNode.MapNode tree, Section.Context ctx) throws ConfigException {
    Section root = Section.root(ctx, tree, "source", "journal", "replicas", "log", "status");
    Section sourceSection = root.requiredSection("source", "name", "url", "password", "tables", "slot",
        "publication", "gtid", "chunk-changes", "poll-interval");
    SourceSettings source = source(sourceSection);
    Section journalSection = root.requiredSection("journal", "dir", "segment-size", "segment-age", "archive",
        "retain");
    JournalConfig journal = journal(journalSection);
    List<Section> replicaSections = root.sections("replicas", "name", "url", "password", "mode", "conflicts",
        "tables", "skip-ddl", "grouping");
    List<ReplicaSettings> replicas = new ArrayList<>();
    for (Section r : replicaSections) {
      replicas.add(replica(r, source.name()));
    }
    checkReplicas(sourceSection, source, replicaSections, replicas);
    LogSettings log = log(root, journal);
    StatusSettings status = status(root, journal);
    return new FerryConfig(ctx.file(), source, journal, replicas, log, status);
  }

  private static SourceSettings source(Section s) throws ConfigException {
    String name = name(s);
    JdbcUrl url = url(s);
    boolean pg = url.kind() == JdbcUrl.Kind.POSTGRESQL;
    Optional<Secret> password = password(s, url);
    String defaultSchema = pg ? "public" : "main";
    Tables tables = tables(s, List.of(Pattern.compile(defaultSchema + "\\..*")));
    if (!pg) {
      for (String k : List.of("slot", "publication")) {
        if (s.has(k)) {
          throw s.error(k, "applies to PostgreSQL sources only; source.url is a SQLite database");
        }
      }
    } else if (s.has("poll-interval")) {
      throw s.error("poll-interval", "applies to SQLite sources only; source.url is a PostgreSQL database");
    }
    String defaultId = defaultPgName(name);
    Optional<String> slot = pg ? Optional.of(pgIdentifier(s, "slot", defaultId)) : Optional.empty();
    Optional<String> publication = pg ? Optional.of(pgIdentifier(s, "publication", defaultId)) : Optional.empty();
    GtidSettings gtid = GtidSettings.DEFAULT;
    Optional<Section> g = s.section("gtid", "domain", "server-id");
    if (g.isPresent()) {
      gtid = new GtidSettings(g.get().integer("domain", 0, 0, GtidSettings.MAX),
          g.get().integer("server-id", 1, 0, GtidSettings.MAX));
    }
    int chunk = (int) s.integer("chunk-changes", DEFAULT_CHUNK_CHANGES, 1, Integer.MAX_VALUE);
    Optional<Duration> poll = pg ? Optional.empty() : Optional.of(s.duration("poll-interval", DEFAULT_POLL_INTERVAL));
    return new SourceSettings(name, url, password, tables, slot, publication, gtid, chunk, poll);
  }

  /** {@code ferry_<name>}, lower-cased, anything but a-z, 0-9 and _ turned into _, at most 63 characters. */
  static String defaultPgName(String sourceName) {
    String id = "ferry_" + sourceName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    return id.length() > 63 ? id.substring(0, 63) : id;
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
    if (password.isPresent() && url.kind() == JdbcUrl.Kind.SQLITE) {
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

  /** The journal's own settings, its defaults ({@link JournalConfig#defaults}) for keys not given. */
  private static JournalConfig journal(Section s) throws ConfigException {
    Path dir = s.path("dir").orElseThrow(() -> s.missing("dir"));
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw s.error("dir", "'" + dir + "' exists and is not a directory");
    }
    JournalConfig defaults = JournalConfig.defaults(dir);
    DataSize segmentSize = s.size("segment-size", DataSize.ofBytes(defaults.segmentBytes()), MIN_SEGMENT_SIZE);
    Duration segmentAge = s.duration("segment-age", defaults.segmentAge());
    ArchiveTarget archive = ArchiveTarget.NONE;
    Optional<Section> a = s.section("archive", "dir", "command");
    if (a.isPresent()) {
      archive = archive(a.get(), dir);
    }
    DataSize retain = s.size("retain", DataSize.ofBytes(0), DataSize.ofBytes(0));
    if (retain.bytes() > 0 && retain.compareTo(segmentSize) < 0) {
      throw s.error("retain", retain + " is smaller than one segment (segment-size " + segmentSize
          + "); use 0 for no cap");
    }
    return defaults.withSegmentBytes(segmentSize.bytes()).withSegmentAge(segmentAge).withArchive(archive)
        .withRetainedBytesCap(retain.bytes());
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
    ApplyConfig apply = defaults.withConflictPolicy(conflicts).withGrouping(grouping)
        .withFilter(new TableFilter(tables.include(), tables.exclude())).withSkipDdl(skipDdl)
        .withReadOnlyReplica(mode == ReplicaSettings.Mode.READ_ONLY && url.kind() == JdbcUrl.Kind.POSTGRESQL);
    return new ReplicaSettings(name, url, password, mode, apply);
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
