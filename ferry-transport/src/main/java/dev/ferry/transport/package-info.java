/**
 * Transport: ships journal segments to replicas by archive directory, HTTP packets or TCP push.
 * Depends on the journal only, never on capture or apply.
 */
package dev.ferry.transport;
