/**
 * Initial sync: copies a consistent snapshot of a PostgreSQL source into a target (PostgreSQL or
 * SQLite) with parallel COPY streams, creating missing tables, and writes or loads full export
 * archives. Needs only JDBC to the source and the target; taking the snapshot (capture) and
 * handing over to streaming (node) live elsewhere. Entry points: {@link dev.ferry.apply.sync.InitialCopy}
 * and {@link dev.ferry.apply.sync.ExportArchive}.
 */
package dev.ferry.apply.sync;
