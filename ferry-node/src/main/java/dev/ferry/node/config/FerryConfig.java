package dev.ferry.node.config;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.capture.binlog.MariaDbSourceConfig;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.capture.trigger.SqliteSourceConfig;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.model.TableFilter;
import dev.ferry.node.run.SourceSpec;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.archive.ArchiveConfig;
import dev.ferry.transport.archive.ArchiveTarget;
import dev.ferry.transport.push.PushTarget;
import dev.ferry.transport.http.HttpServeConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A node's configuration file ({@code ferry.yaml}), read once into typed, validated records: see
 * {@code docs/configuration.md} for every key. Loading reads the file and the environment and
 * nothing else: it creates no directory and opens no database.
 *
 * <p>Immutable and thread-safe. No component is null; {@code replicas} may be empty. Passwords are
 * {@link Secret}s and URLs {@link JdbcUrl}s, whose {@code toString()} redact credentials, so
 * {@link #toString()} and {@link #describe()} never show a password.
 *
 * @param file the file the configuration was read from, as the caller named it
 * @param source the {@code source:} section
 * @param journal the {@code journal:} section, as the journal's own settings
 * @param archive {@code journal.archive}, as the archiver's settings (ferry-transport)
 * @param from {@code journal.from}: where a replica node's journal copy comes from; empty on a
 *     node that captures its source into its own journal
 * @param serve {@code journal.serve.http}: the HTTP server of the journal's sealed segments
 * @param push {@code journal.push}: the replica nodes the journal is pushed to over TCP
 * @param replicas the {@code replicas:} list, in file order, names unique
 * @param log the {@code log:} section
 * @param status the {@code status:} section
 * @param http {@code http:}: the node's HTTP server (admin API, {@code /metrics}); when it listens
 *     where {@code serve} does, it is that server
 */
public record FerryConfig(Path file, SourceSettings source, JournalConfig journal, ArchiveConfig archive,
    Optional<JournalFrom> from, Optional<HttpServeConfig> serve, List<PushTarget> push,
    List<ReplicaSettings> replicas, LogSettings log, StatusSettings status, Optional<HttpServeConfig> http) {

  public FerryConfig {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(journal, "journal");
    Objects.requireNonNull(archive, "archive");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(serve, "serve");
    push = List.copyOf(push);
    replicas = List.copyOf(replicas);
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(http, "http");
  }

  /** Whether the node's HTTP server also serves the journal's segments ({@code serve} on its address). */
  public boolean httpServesJournal() {
    return http.isPresent() && serve.isPresent() && serve.get().listen().equals(http.get().listen());
  }

  /**
   * Reads {@code file} (UTF-8), substituting {@code ${VAR}} from the process environment.
   *
   * @throws ConfigException when the file is missing or unreadable ({@code ferry.yaml: no such
   *     file}) or anything in it is refused; the message is one line naming file, line and key
   */
  public static FerryConfig load(Path file) throws ConfigException {
    return load(file, System.getenv());
  }

  /** {@link #load(Path)} with the environment given, for tests and for callers that filter it. */
  public static FerryConfig load(Path file, Map<String, String> env) throws ConfigException {
    String yaml;
    try {
      if (Files.isDirectory(file)) {
        throw new ConfigException(file, 0, null, "is a directory, not a configuration file");
      }
      yaml = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
    } catch (NoSuchFileException e) {
      throw new ConfigException(file, 0, null, "no such file");
    } catch (CharacterCodingException e) {
      throw new ConfigException(file, 0, null, "is not UTF-8 text");
    } catch (IOException e) {
      throw new ConfigException(file, 0, null, "cannot be read: " + e);
    }
    return parse(yaml, file, env);
  }

  /**
   * Reads configuration text.
   *
   * @param yaml the file's content
   * @param fileForMessages names the file in error messages; relative paths in the text are
   *     resolved against its directory
   * @param env the environment for {@code ${VAR}} substitution
   * @throws ConfigException naming file, line and key of the first problem
   */
  public static FerryConfig parse(String yaml, Path fileForMessages, Map<String, String> env) throws ConfigException {
    Objects.requireNonNull(yaml, "yaml");
    Objects.requireNonNull(env, "env");
    Path absolute = fileForMessages.toAbsolutePath();
    Path baseDir = absolute.getParent() != null ? absolute.getParent() : absolute.getRoot();
    YamlNode.MapNode tree = YamlNode.parse(yaml, fileForMessages);
    return ConfigReader.read(tree, new Section.Context(fileForMessages, Map.copyOf(env), baseDir));
  }

  /**
   * A human-readable summary of every setting, defaults included, for the node to print or log at
   * startup. Passwords and credentials in URLs are shown as {@code ****}.
   */
  public String describe() {
    StringBuilder b = new StringBuilder();
    b.append("configuration ").append(file).append('\n');
    b.append("source ").append(source.name()).append(": ").append(source.url())
        .append(source.password().isPresent() ? " password ****" : "").append('\n');
    b.append("  tables ").append(source.tables()).append('\n');
    b.append(captureSettings(source.capture()));
    b.append("journal ").append(journal.directory()).append('\n');
    b.append("  segment-size ").append(DataSize.ofBytes(journal.segmentBytes())).append(", segment-age ")
        .append(Durations.format(journal.segmentAge())).append(", retain ")
        .append(journal.retainedBytesCap() == 0 ? "no cap" : DataSize.ofBytes(journal.retainedBytesCap()).toString())
        .append('\n');
    b.append("  archive ").append(archive(archive.target())).append('\n');
    from.ifPresent(f -> b.append("  from ").append(from(f)).append('\n'));
    serve.ifPresent(h -> b.append("  serve ").append(h.scheme()).append(' ').append(h.listen())
        .append(h.token().isPresent() ? ", token ****" : ", no token")
        .append(h.keyStore().map(k -> ", keystore " + k).orElse("")).append('\n'));
    for (PushTarget p : push) {
      b.append("  push ").append(p.name()).append(" to ").append(p.address()).append(", secret ****")
          .append(p.trustStore().map(t -> ", TLS, truststore " + t).orElse(", plain TCP"))
          .append(p.sync() == dev.ferry.transport.push.SyncLevel.NONE ? ", asynchronous"
              : ", sync " + p.sync() + " (excluded after " + Durations.format(p.syncTimeout()) + ")")
          .append(", heartbeat ").append(Durations.format(p.link().heartbeat())).append(", timeout ")
          .append(Durations.format(p.link().timeout())).append('\n');
    }
    if (replicas.isEmpty()) {
      b.append("replicas none\n");
    }
    for (ReplicaSettings r : replicas) {
      b.append("replica ").append(r.name()).append(": ").append(r.url())
          .append(r.password().isPresent() ? " password ****" : "").append('\n');
      ApplyConfig.Grouping grouping = r.apply().grouping();
      TableFilter filter = r.apply().filter();
      b.append("  mode ").append(Section.spelling(r.mode())).append(", conflicts ")
          .append(Section.spelling(r.apply().conflictPolicy())).append(", skip-ddl ").append(r.apply().skipDdl())
          .append('\n');
      b.append("  tables ").append(new Tables(filter.include(), filter.exclude())).append('\n');
      b.append("  grouping max-transactions ").append(grouping.maxTransactions()).append(", max-bytes ")
          .append(DataSize.ofBytes(grouping.maxBytes())).append(", max-delay ")
          .append(Durations.format(grouping.maxDelay())).append('\n');
    }
    b.append("log ").append(log.file()).append(", level ").append(Section.spelling(log.level())).append('\n');
    b.append("status ").append(status.file()).append('\n');
    http.ifPresent(h -> b.append("http ").append(h.scheme()).append(' ').append(h.listen())
        .append(h.token().isPresent() ? ", token ****" : ", no token")
        .append(h.keyStore().map(k -> ", keystore " + k).orElse(""))
        .append(httpServesJournal() ? ", also serves the journal" : "").append('\n'));
    return b.toString();
  }

  /** The kind's own keys, as {@link #describe()} lists them. */
  private static String captureSettings(SourceSpec capture) {
    return switch (capture) {
      case SourceSpec.Postgres(PostgresSourceConfig pg) -> "  slot " + pg.slotName() + ", publication "
          + pg.publicationName() + "\n  gtid domain " + pg.gtidDomain() + ", server-id " + pg.serverId()
          + ", chunk-changes " + pg.chunkChanges() + "\n";
      case SourceSpec.Sqlite(SqliteSourceConfig lite) -> "  gtid domain " + lite.gtidDomain() + ", server-id "
          + lite.serverId() + ", chunk-changes " + lite.chunkChanges() + ", poll-interval "
          + Durations.format(lite.idlePoll()) + "\n";
      case SourceSpec.MariaDb(MariaDbSourceConfig maria) -> "  binlog-server-id " + maria.replicaServerId()
          + ", chunk-changes " + maria.chunkChanges() + " (GTIDs: MariaDB's own)\n";
    };
  }

  private static String from(JournalFrom from) {
    return switch (from) {
      case JournalFrom.Directory d -> "directory " + d.incoming() + ", poll-interval "
          + Durations.format(d.pollInterval());
      case JournalFrom.Http h -> "http " + h.url() + (h.token().isPresent() ? ", token ****" : ", no token")
          + ", poll-interval " + Durations.format(h.pollInterval()) + ", retry-max " + Durations.format(h.retryMax())
          + ", timeout " + Durations.format(h.timeout()) + h.trustStore().map(t -> ", truststore " + t).orElse("");
      case JournalFrom.Listen l -> "push, listening on " + l.address() + ", secret ****"
          + l.keyStore().map(k -> ", TLS, keystore " + k).orElse(", plain TCP") + ", heartbeat "
          + Durations.format(l.link().heartbeat()) + ", timeout " + Durations.format(l.link().timeout());
    };
  }

  private static String archive(ArchiveTarget target) {
    return switch (target) {
      case ArchiveTarget.None none -> "none";
      case ArchiveTarget.Directory d -> "dir " + d.directory();
      case ArchiveTarget.Command c -> "command " + c.command();
    };
  }
}
