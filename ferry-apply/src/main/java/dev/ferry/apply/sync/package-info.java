/**
 * The target side of initial sync, table copies and export archives: creates missing tables on a
 * target (PostgreSQL or SQLite), empties them, and writes a source snapshot's rows into them with
 * parallel COPY streams ({@link dev.ferry.apply.sync.InitialCopy}, COPY data) or row by row
 * ({@link dev.ferry.apply.sync.RowCopy}, journal values); writes and loads full export archives
 * ({@link dev.ferry.apply.sync.ExportArchive}). The source's side — taking the snapshot, describing
 * its tables, reading their rows — is capture's; the two meet through the types of
 * {@code dev.ferry.journal.snapshot}, and the node hands one to the other.
 */
package dev.ferry.apply.sync;
