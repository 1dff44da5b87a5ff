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
 * <p>Thread-safe (stateless).
 */
final class SegmentFiles {
  static final String ID_FILE = "journal.id";
  static final String PURGED_FILE = "purged";
  static final String ARCHIVE_STATUS_DIR = "archive_status";
  static final String CONSUMERS_DIR = "consumers";
  static final String TMP_SUFFIX = ".tmp";
  private static final Pattern OPEN = Pattern.compile("(\\d{20})\\.open");
  private static final Pattern SEALED = Pattern.compile("(\\d{20})-(\\d{20})\\.seg");

  private SegmentFiles() {
  }

  /** A segment file found in the directory. {@code recordCount} is -1 for an open segment. */
  record SegmentFile(Path path, long number, boolean open, long recordCount) {
    String fileName() {
      return path.getFileName().toString();
    }
  }

  static String openName(long segment) {
    return String.format("%020d.open", segment);
  }

  static String sealedName(long segment, long recordCount) {
    return String.format("%020d-%020d.seg", segment, recordCount);
  }

  static Optional<SegmentFile> parse(Path path) {
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
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, prefix + "*.seg")) {
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

  static Path archiveMarker(Path dir, String segmentFileName) {
    return dir.resolve(ARCHIVE_STATUS_DIR).resolve(segmentFileName + ".done");
  }
}
