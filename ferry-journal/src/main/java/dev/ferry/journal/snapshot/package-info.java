/**
 * What a source snapshot reader (capture) hands a target writer (apply) in initial sync, table
 * copies and exports: the tables as the source's catalog describes them ({@link
 * dev.ferry.journal.snapshot.SourceTable}, {@link dev.ferry.journal.snapshot.SourceSequence}) and
 * their rows read at the snapshot, as COPY data ({@link dev.ferry.journal.snapshot.SnapshotSession})
 * or as journal values ({@link dev.ferry.journal.snapshot.RowReader}). Neither side depends on the
 * other; the node passes one to the other.
 */
package dev.ferry.journal.snapshot;
