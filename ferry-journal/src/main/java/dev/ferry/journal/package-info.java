/**
 * The segment engine: a directory of numbered, checksummed segment files written by one thread
 * with group commit, read, recovered, verified, purged, shipped and ingested. Record payloads are
 * the codecs' ({@code dev.ferry.journal.codec}); the values they carry are the model's ({@code
 * dev.ferry.journal.model}). Depends on the JDK, slf4j and zstd only.
 */
package dev.ferry.journal;
