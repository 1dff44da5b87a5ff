package dev.ferry.journal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that knows the names of the files in a journal directory. Other modules (the
 * node's commands, tests) ask this class for a name instead of spelling it; {@link DurableFiles}
 * holds the recipe by which the small files here are written.
 *
 * <pre>
 * 00000000000000000007.open                        segment 7, being written (OPEN)
 * 00000000000000000006-00000000000000001234.seg    segment 6, sealed, holding 1234 records
 * archive_status/&lt;segment file&gt;.done             segment archived (ARCHIVED)
 * journal.id                                       the journal's identity (UUID, format version)
 * purged                                           the highest purged segment number
 * consumers/&lt;name&gt;.pos                           a consumer's acknowledged position
 * journal.lock                                     locked by the process writing the journal
 * *.tmp                                            half-written durable files, removed on open
 *                                                  ({@link DurableFiles#TMP_SUFFIX})
 * </pre>
 *
 * <p>The name methods are public so that other modules (the node's commands, tests, tools) ask
 * here instead of spelling a name. Thread-safe (stateless).
 */
public final class SegmentFiles {
  /** The identity file's name, for messages; {@link #idFile} resolves it. */
  public static final String ID_FILE = "journal.id";
  private static final String LOCK_FILE = "journal.lock";
  private static final String PURGED_FILE = "purged";
  private static final String ARCHIVE_STATUS_DIR = "archive_status";
  private static final String CONSUMERS_DIR = "consumers";
  static final String CONSUMER_SUFFIX = ".pos";
  private static final String ARCHIVED_SUFFIX = ".done";
  private static final String OPEN_SUFFIX = ".open";
  private static final String SEALED_SUFFIX = ".seg";
  private static final Pattern OPEN = Pattern.compile("(\\d{20})\\" + OPEN_SUFFIX);
  private static final Pattern SEALED = Pattern.compile("(\\d{20})-(\\d{20})\\" + SEALED_SUFFIX);

  private SegmentFiles() {
  }

  /** The journal's identity file; a directory holding it is a journal. */
  public static Path idFile(Path journalDir) {
    return journalDir.resolve(ID_FILE);
  }

  /** The file the process writing the journal holds locked. */
  public static Path lockFile(Path journalDir) {
    return journalDir.resolve(LOCK_FILE);
  }

  /** The highest purged segment number. */
  static Path purgedFile(Path journalDir) {
    return journalDir.resolve(PURGED_FILE);
  }

  /** The directory of the consumers' acknowledged positions. */
  public static Path consumersDir(Path journalDir) {
    return journalDir.resolve(CONSUMERS_DIR);
  }

  /** The file holding {@code consumer}'s acknowledged position. */
  public static Path consumerFile(Path journalDir, String consumer) {
    return consumersDir(journalDir).resolve(consumer + CONSUMER_SUFFIX);
  }

  /** The directory of the archive markers. */
  static Path archiveStatusDir(Path journalDir) {
    return journalDir.resolve(ARCHIVE_STATUS_DIR);
  }

  /** The marker saying the segment file {@code segmentFileName} was archived. */
  public static Path archiveMarker(Path journalDir, String segmentFileName) {
    return archiveStatusDir(journalDir).resolve(segmentFileName + ARCHIVED_SUFFIX);
  }

  /** Whether {@code file} is named as an open segment (being written). */
  public static boolean isOpenSegment(Path file) {
    return parse(file).filter(SegmentFile::open).isPresent();
  }

  /** Whether {@code file} is named as a sealed segment (numbers beyond a {@code long} are not). */
  public static boolean isSealedSegment(Path file) {
    return parse(file).filter(f -> !f.open()).isPresent();
  }

  /**
   * The segment number in {@code file}'s name when it is named as a sealed segment (what a
   * transport finds in an incoming directory); empty for any other name.
   */
  public static java.util.OptionalLong sealedNumber(Path file) {
    return parse(file).filter(f -> !f.open()).map(f -> java.util.OptionalLong.of(f.number()))
        .orElse(java.util.OptionalLong.empty());
  }

  /** The segment number in {@code file}'s name when it is named as a segment, open or sealed; empty for any other name. */
  public static java.util.OptionalLong segmentNumber(Path file) {
    return parse(file).map(f -> java.util.OptionalLong.of(f.number())).orElse(java.util.OptionalLong.empty());
  }

  /** The record count in {@code file}'s name when it is named as a sealed segment; empty for any other name. */
  public static java.util.OptionalLong sealedRecordCount(Path file) {
    return parse(file).filter(f -> !f.open()).map(f -> java.util.OptionalLong.of(f.recordCount()))
        .orElse(java.util.OptionalLong.empty());
  }

  /** A segment file found in the directory. {@code recordCount} is -1 for an open segment. */
  record SegmentFile(Path path, long number, boolean open, long recordCount) {
    String fileName() {
      return path.getFileName().toString();
    }
  }

  /** The name of segment {@code segment} while it is open. */
  public static String openName(long segment) {
    return String.format("%020d" + OPEN_SUFFIX, segment);
  }

  /** The name of segment {@code segment} once sealed holding {@code recordCount} records. */
  public static String sealedName(long segment, long recordCount) {
    return String.format("%020d-%020d" + SEALED_SUFFIX, segment, recordCount);
  }

  /** The segment file {@code path} names; empty for any other name, also one with a number beyond a {@code long}. */
  static Optional<SegmentFile> parse(Path path) {
    try {
      return parseName(path);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<SegmentFile> parseName(Path path) {
    String name = path.getFileName().toString();
    Matcher open = OPEN.matcher(name);
    if (open.matches()) {
      return Optional.of(new SegmentFile(path, Long.parseLong(open.group(1)), true, -1));
    }
    Matcher sealed = SEALED.matcher(name);
    if (sealed.matches()) {
      return Optional.of(new SegmentFile(path, Long.parseLong(sealed.group(1)), false,
          Long.parseLong(sealed.group(2))));
    }
    return Optional.empty();
  }

  /** The segment files in {@code dir}, by number. */
  static List<SegmentFile> list(Path dir) throws IOException {
    List<SegmentFile> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path path : stream) {
        parse(path).ifPresent(files::add);
      }
    }
    files.sort(Comparator.comparingLong(SegmentFile::number));
    return files;
  }

  /** The file of segment {@code number} as it is now (open or sealed), if it exists. */
  static Optional<SegmentFile> find(Path dir, long number) throws IOException {
    Path open = dir.resolve(openName(number));
    if (Files.exists(open)) {
      return Optional.of(new SegmentFile(open, number, true, -1));
    }
    String prefix = String.format("%020d-", number);
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, prefix + "*" + SEALED_SUFFIX)) {
      for (Path path : stream) {
        Optional<SegmentFile> file = parse(path);
        if (file.isPresent()) {
          return file;
        }
      }
    }
    // The writer may have sealed it between the two looks.
    return Files.exists(open) ? Optional.of(new SegmentFile(open, number, true, -1)) : Optional.empty();
  }
}
