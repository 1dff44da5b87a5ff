/**
 * The codecs: how a record's payload encodes a transaction's metadata, its changes and their
 * values ({@link dev.ferry.journal.codec.RecordCodec}, the entry point, over {@link
 * dev.ferry.journal.codec.ByteSink} and {@link dev.ferry.journal.codec.ByteSource}). Depends on the
 * model and the JDK only, never on the segment engine ({@code dev.ferry.journal}), which frames,
 * checksums, compresses and stores what the codecs make.
 */
package dev.ferry.journal.codec;
