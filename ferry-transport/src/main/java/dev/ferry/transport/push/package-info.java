/**
 * TCP push (PBXT's supplier threads): the primary's {@link dev.ferry.transport.push.PushSupplier}
 * per replica node streams the journal — sealed segments the replica lacks, then the live tail —
 * to the replica node's {@link dev.ferry.transport.push.PushReceiver}, which writes it into its
 * journal copy durably before acknowledging. {@link dev.ferry.transport.push.PushFrames} owns the
 * wire format.
 */
package dev.ferry.transport.push;
