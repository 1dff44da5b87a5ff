/**
 * Archiving sealed journal segments into a directory or through an archive command
 * ({@code journal.archive} in {@code ferry.yaml}): {@link dev.ferry.transport.archive.Archiver},
 * driven by the journal's {@link dev.ferry.journal.SegmentShipping}.
 */
package dev.ferry.transport.archive;
