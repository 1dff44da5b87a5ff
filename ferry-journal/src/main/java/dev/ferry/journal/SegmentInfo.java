package dev.ferry.journal;

import dev.ferry.journal.model.Gtid;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@link JournalInspector} and {@link Journal#purge()} report about one segment. Immutable.
 *
 * @param number segment number
 * @param state its state
 * @param path its file (gone for PURGED)
 * @param sizeBytes file size in bytes (at the time of looking)
 * @param recordCount records in it (counted, or from the sealed name); -1 if not counted
 * @param firstGtid GTID of its first record, if it has one
 * @param lastGtid GTID of its last record, if counted
 */
public record SegmentInfo(long number, SegmentState state, Path path, long sizeBytes, long recordCount,
    Optional<Gtid> firstGtid, Optional<Gtid> lastGtid) {
}
