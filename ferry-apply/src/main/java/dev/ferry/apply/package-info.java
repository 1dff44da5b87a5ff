/**
 * Apply: replays journal transactions into target databases exactly once, in order, recording
 * progress in the target in the same transaction. Depends on the journal only, never on capture
 * or transport.
 */
package dev.ferry.apply;
