package dev.ferry.apply.sync;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.dialect.DatabaseIdentity;
import dev.ferry.journal.DurableFiles;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.snapshot.SnapshotReader;
import dev.ferry.journal.snapshot.SnapshotSession;
import dev.ferry.journal.snapshot.SourceTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A full export archive (MusicBrainz's full export): a directory holding one consistent snapshot of
 * a PostgreSQL source's tables and, when it is a replication point, where a replica loaded from it
 * resumes streaming. This class owns the file names and the format:
 *
 * <pre>
 * DIR/
 *   0001-public.accounts.copy   one file per table: its rows in COPY text format (UTF-8)
 *   0002-public.history.copy
 *   TABLES                      each table's file, row count, columns and types, primary key ({@link ArchiveTables})
 *   SCHEMA_SEQUENCE             the source's schema sequence at the snapshot, a decimal number and a newline
 *   REPLICATION_SEQUENCE        a {@link ReplicationPoint}, or EMPTY: the export is no replication point
 *   SOURCE_IDENTITY             the source database's {@link DatabaseIdentity} key and a newline; a load
 *                               refuses a target with that identity (archives written before it lack it)
 *   SHA256SUMS                  written last: "&lt;sha256&gt;  &lt;file&gt;" for every file above (sha256sum -c reads it)
 * </pre>
 *
 * Every file is written with the durable recipe (temp file, fsync, atomic rename, fsync of the
 * directory), {@code SHA256SUMS} last: an archive without it is incomplete. {@link #open} checks
 * every listed file's SHA-256 and that every file the archive needs is listed, before anything is
 * read; a load touches the target only after that. The format is version 1 (the first lines of
 * {@code TABLES} and {@code REPLICATION_SEQUENCE}); a change bumps it.
 *
 * <p>An opened archive is immutable and thread-safe; a {@link Writer} is used by one thread.
 */
public final class ExportArchive {
  public static final String TABLES = "TABLES";
  public static final String SCHEMA_SEQUENCE = "SCHEMA_SEQUENCE";
  public static final String REPLICATION_SEQUENCE = "REPLICATION_SEQUENCE";
  public static final String SHA256SUMS = "SHA256SUMS";
  public static final String SOURCE_IDENTITY = "SOURCE_IDENTITY";

  private static final Logger log = LoggerFactory.getLogger(ExportArchive.class);

  /** A table written to an archive. */
  public record TableFile(TableId table, String file, long rows, long bytes) {
  }

  private final Path dir;
  private final List<ArchiveTables.Entry> tables;
  private final long schemaSequence;
  private final Optional<ReplicationPoint> replicationPoint;
  private final Optional<String> sourceIdentity;

  private ExportArchive(Path dir, List<ArchiveTables.Entry> tables, long schemaSequence,
      Optional<ReplicationPoint> replicationPoint, Optional<String> sourceIdentity) {
    this.dir = dir;
    this.tables = List.copyOf(tables);
    this.schemaSequence = schemaSequence;
    this.replicationPoint = replicationPoint;
    this.sourceIdentity = sourceIdentity;
  }

  /**
   * Starts an archive in {@code dir}, which must not exist or be empty.
   *
   * @throws SyncException if {@code dir} holds files (an archive is never overwritten)
   */
  public static Writer create(Path dir) throws IOException {
    boolean created = !Files.exists(dir);
    Files.createDirectories(dir);
    if (created && dir.toAbsolutePath().getParent() != null) {
      DurableFiles.fsyncDirectory(dir.toAbsolutePath().getParent());
    }
    try (Stream<Path> files = Files.list(dir)) {
      if (files.findAny().isPresent()) {
        throw new SyncException(Side.archive(dir), "the directory is not empty: export into a new directory");
      }
    }
    return new Writer(dir);
  }

  /**
   * Opens an archive after checking every file against {@code SHA256SUMS}.
   *
   * @throws ArchiveCorruptException naming the file that is missing, altered or malformed
   */
  public static ExportArchive open(Path dir) throws IOException {
    Path sums = dir.resolve(SHA256SUMS);
    if (!Files.isRegularFile(sums)) {
      throw new ArchiveCorruptException(Side.archive(dir), sums, "has no " + SHA256SUMS
          + ": not an export archive, or its export did not finish");
    }
    Map<String, String> expected = new LinkedHashMap<>();
    for (String line : Files.readAllLines(sums, StandardCharsets.UTF_8)) {
      int sep = line.indexOf("  ");
      if (sep != 64 || line.substring(sep + 2).isEmpty() || line.substring(sep + 2).contains("/")) {
        throw new ArchiveCorruptException(Side.archive(dir), sums, "" + SHA256SUMS + " has a malformed line '"
            + line + "'");
      }
      expected.put(line.substring(sep + 2), line.substring(0, sep));
    }
    for (Map.Entry<String, String> e : expected.entrySet()) {
      Path file = dir.resolve(e.getKey());
      if (!Files.isRegularFile(file)) {
        throw new ArchiveCorruptException(Side.archive(dir), file, "the file " + file + " listed in " + SHA256SUMS
            + " is missing");
      }
      String actual = ArchiveFiles.sha256(file);
      if (!actual.equals(e.getValue())) {
        throw new ArchiveCorruptException(Side.archive(dir), file, "the file " + file + " is corrupt: SHA-256 "
            + actual + ", expected " + e.getValue() + " (" + SHA256SUMS + ")");
      }
    }
    List<ArchiveTables.Entry> tables = parse(dir, expected, TABLES, ArchiveTables::parse);
    for (ArchiveTables.Entry t : tables) {
      listed(dir, expected, t.file());
    }
    long schemaSequence = parse(dir, expected, SCHEMA_SEQUENCE, text -> Long.parseLong(text.strip()));
    Optional<ReplicationPoint> point = parse(dir, expected, REPLICATION_SEQUENCE,
        text -> text.isBlank() ? Optional.<ReplicationPoint>empty() : Optional.of(ReplicationPoint.parse(text)));
    Optional<String> source = expected.containsKey(SOURCE_IDENTITY)
        ? Optional.of(parse(dir, expected, SOURCE_IDENTITY, String::strip)) : Optional.empty();
    return new ExportArchive(dir, tables, schemaSequence, point, source);
  }

  private interface Parser<T> {
    T parse(String text);
  }

  private static <T> T parse(Path dir, Map<String, String> listed, String name, Parser<T> parser) throws IOException {
    Path file = listed(dir, listed, name);
    try {
      return parser.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new ArchiveCorruptException(Side.archive(dir), file, "cannot read " + file + ": " + e.getMessage());
    }
  }

  private static Path listed(Path dir, Map<String, String> listed, String name) throws ArchiveCorruptException {
    if (!listed.containsKey(name)) {
      throw new ArchiveCorruptException(Side.archive(dir), dir.resolve(name), "" + SHA256SUMS + " does not list "
          + name + ": the archive is incomplete");
    }
    return dir.resolve(name);
  }

  public Path directory() {
    return dir;
  }

  /** The tables in the archive, in file order. */
  public List<TableId> tables() {
    return tables.stream().map(t -> t.table().id()).toList();
  }

  /** The total number of rows over all tables. */
  public long rows() {
    return tables.stream().mapToLong(ArchiveTables.Entry::rows).sum();
  }

  public long schemaSequence() {
    return schemaSequence;
  }

  /** The {@link DatabaseIdentity#key()} of the database the archive was exported from, if recorded. */
  public Optional<String> sourceIdentity() {
    return sourceIdentity;
  }

  /** Where a replica loaded from this archive resumes; empty: the archive is no replication point. */
  public Optional<ReplicationPoint> replicationPoint() {
    return replicationPoint;
  }

  /**
   * Loads the tables the replica's filter accepts into the target in one transaction: missing
   * tables are created, every loaded table is emptied and filled, and in the same transaction the
   * replica's progress row is set to {@code resumeAt} (when given) and its load is recorded in
   * {@link ArchiveLoads}. A failure rolls everything back.
   *
   * @param replica names the replica; its {@code source} is the journal the progress row belongs to
   * @param resumeAt the replication point to record, checked against the journal by the caller
   * @return rows loaded per table
   * @throws SyncException naming the replica, archive and table
   */
  public Map<TableId, Long> loadInto(ApplyConfig replica, ConnectionSource target,
      Optional<ReplicationPoint> resumeAt) throws SyncException {
    return loadInto(replica, target, resumeAt, p -> { });
  }

  /** As {@link #loadInto(ApplyConfig, ConnectionSource, Optional)}; {@code watcher} gets the load's live figures. */
  public Map<TableId, Long> loadInto(ApplyConfig replica, ConnectionSource target,
      Optional<ReplicationPoint> resumeAt, Consumer<CopyProgress> watcher) throws SyncException {
    return ArchiveLoader.load(this, tables, replica, target, resumeAt, watcher);
  }

  /**
   * Writes an archive's files; {@link #finish} writes the small files and {@code SHA256SUMS} last.
   * One thread.
   */
  public static final class Writer {
    private final Path dir;
    private final List<ArchiveTables.Entry> written = new ArrayList<>();
    private final Map<String, String> sums = new LinkedHashMap<>();
    private Optional<String> sourceIdentity = Optional.empty();

    private Writer(Path dir) {
      this.dir = dir;
    }

    /**
     * Writes one file per table, every table read from the same snapshot, {@code parallelism}
     * tables at a time.
     *
     * @throws SyncException naming the table and the source's error
     */
    public List<TableFile> copyTables(InitialCopy.Source source, List<TableId> tables, int parallelism)
        throws SyncException {
      return copyTables(source, tables, parallelism, p -> { });
    }

    /** As {@link #copyTables(InitialCopy.Source, List, int)}; {@code watcher} gets the export's live figures. */
    public List<TableFile> copyTables(InitialCopy.Source source, List<TableId> tables, int parallelism,
        Consumer<CopyProgress> watcher) throws SyncException {
      Side side = Side.archive(dir);
      List<TableId> todo = tables.stream().distinct().toList();
      ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
      for (int i = 0; i < todo.size(); i++) {
        queue.add(i);
      }
      Map<Integer, ArchiveTables.Entry> done = new ConcurrentHashMap<>();
      Map<Integer, ArchiveFiles.Written> files = new ConcurrentHashMap<>();
      AtomicReference<Exception> failure = new AtomicReference<>();
      SnapshotReader sessions = source.snapshot();
      log.info("{} exporting {} tables from snapshot {}", side, todo.size(), sessions.snapshotName());
      sourceIdentity = source.identity().map(DatabaseIdentity::key);
      try (SnapshotSession first = sessions.session()) {
        first.commit(); // the snapshot can be read: fail here, before any thread starts
      } catch (SQLException e) {
        throw new SyncException(side, "cannot read the source: " + e.getMessage(), e);
      }
      try {
        CopyProgress figures = new CopyProgress(0, todo.size());
        watcher.accept(figures);
        TableProgress progress = new TableProgress(side + " ", "exported", figures);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < Math.max(1, Math.min(parallelism, todo.size())); s++) {
          threads.add(Thread.ofPlatform().name("ferry-export-" + s).start(() -> {
            try (SnapshotSession src = sessions.session()) {
              Integer i;
              while (failure.get() == null && (i = queue.poll()) != null) {
                TableId id = todo.get(i);
                SourceTable table = src.describe(id);
                String name = ArchiveTables.fileName(written.size() + i + 1, id);
                long[] rows = new long[1];
                ArchiveFiles.Written file = ArchiveFiles.writeDurably(dir, name, out -> rows[0] = src.copyOut(table, out));
                files.put(i, file);
                done.put(i, new ArchiveTables.Entry(table, name, rows[0]));
                progress.tableDone(id, rows[0], file.bytes());
              }
              src.commit();
            } catch (IOException | SQLException | RuntimeException e) {
              failure.compareAndSet(null, e);
            }
          }));
        }
        for (Thread t : threads) {
          t.join();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SyncException(side, "interrupted while exporting", e);
      }
      if (failure.get() != null) {
        throw new SyncException(side, "export failed: " + failure.get().getMessage(), failure.get());
      }
      return record(todo.size(), done, files);
    }

    /** Adds the {@code count} tables written to the archive's lists, in the order they were asked for. */
    private List<TableFile> record(int count, Map<Integer, ArchiveTables.Entry> done,
        Map<Integer, ArchiveFiles.Written> files) {
      List<TableFile> result = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ArchiveTables.Entry e = done.get(i);
        written.add(e);
        sums.put(e.file(), files.get(i).sha256());
        result.add(new TableFile(e.table().id(), e.file(), e.rows(), files.get(i).bytes()));
      }
      return result;
    }

    /**
     * Writes {@code TABLES}, {@code SCHEMA_SEQUENCE}, {@code REPLICATION_SEQUENCE} (empty without a
     * point) and then {@code SHA256SUMS}, which completes the archive.
     */
    public void finish(long schemaSequence, Optional<ReplicationPoint> point) throws IOException {
      small(TABLES, ArchiveTables.format(written));
      small(SCHEMA_SEQUENCE, schemaSequence + "\n");
      small(REPLICATION_SEQUENCE, point.map(ReplicationPoint::toString).orElse(""));
      if (sourceIdentity.isPresent()) {
        small(SOURCE_IDENTITY, sourceIdentity.get() + "\n");
      }
      StringBuilder list = new StringBuilder();
      sums.forEach((file, sha) -> list.append(sha).append("  ").append(file).append('\n'));
      write(SHA256SUMS, list.toString());
    }

    private void small(String name, String text) throws IOException {
      sums.put(name, write(name, text).sha256());
    }

    private ArchiveFiles.Written write(String name, String text) throws IOException {
      try {
        return ArchiveFiles.writeDurably(dir, name, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
      } catch (SQLException e) {
        throw new IllegalStateException("writing a string threw " + e, e);
      }
    }
  }
}
