package dev.ferry.journal;

import java.nio.file.Path;

/**
 * A sealed segment as a shipper sees it (see {@link SegmentShipping}). Immutable; never null.
 *
 * @param number the segment's number
 * @param path the sealed segment file, named by {@link SegmentFiles#sealedName}
 * @param recordCount the records it holds
 */
public record SealedSegment(long number, Path path, long recordCount) {
  public SealedSegment {
    if (number < 1 || path == null || recordCount < 0) {
      throw new IllegalArgumentException("sealed segment " + number + " at " + path + " with " + recordCount
          + " records");
    }
  }

  /** The segment file's name, which a copy keeps (the same bytes under the same name). */
  public String fileName() {
    return path.getFileName().toString();
  }
}
