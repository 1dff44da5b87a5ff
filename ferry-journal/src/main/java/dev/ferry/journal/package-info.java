/**
 * The change model ({@code Gtid}, {@code Transaction}, {@code Change}) and the segment journal:
 * a directory of numbered, checksummed segment files written by one thread with group commit.
 * Depends on the JDK, slf4j and zstd only.
 */
package dev.ferry.journal;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Transaction;
