/**
 * Capture: turns committed source transactions into journal {@code Transaction}s.
 * {@code capture.postgres} (logical decoding with pgoutput), {@code capture.trigger} (SQLite and
 * other JDBC databases through a change table), {@code capture.binlog} (MariaDB).
 * Depends on the journal only, never on transport or apply.
 */
package dev.ferry.capture;
