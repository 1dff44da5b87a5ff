package dev.ferry.apply;

import dev.ferry.journal.model.Gtid;
import java.util.OptionalLong;

/**
 * The last transaction a replica committed, as its {@code replication_control} row records it
 * next to the applied GTID set: its GTID and, when it came from a journal, its checksum
 * ({@code JournalTransaction.checksum()}). A journal that later holds another transaction under
 * that GTID is recognised by the checksum and refused.
 *
 * @param gtid never null
 * @param checksum the CRC32C of its journal record (0 to 2^32-1); empty when not known
 */
public record LastApplied(Gtid gtid, OptionalLong checksum) {
  public LastApplied {
    if (gtid == null || checksum == null) {
      throw new IllegalArgumentException("last applied transaction components must not be null");
    }
  }
}
