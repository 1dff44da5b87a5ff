/**
 * What every transport shares: where a replica's journal copy comes from ({@link
 * dev.ferry.transport.JournalFrom}) and what a link reports ({@link dev.ferry.transport.LinkStatus}).
 * The transports themselves live in {@code .archive} (archive directory), and later {@code .http}
 * and {@code .tcp}.
 */
package dev.ferry.transport;
