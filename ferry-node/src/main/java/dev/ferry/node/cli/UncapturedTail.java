package dev.ferry.node.cli;

import dev.ferry.journal.model.SourcePosition;
import dev.ferry.node.run.SourceSpec;
import java.io.IOException;
import java.util.Optional;

/**
 * Transactions the old primary's database committed after the last one its journal holds (a
 * {@code kill -9} of its capture leaves them in the source's log): part of its divergent tail, but
 * not in the journal that {@code ferry rejoin} exports from, so rejoin refuses while there are any.
 */
final class UncapturedTail {
  private UncapturedTail() {}

  /**
   * Refuses when the source's log holds a transaction committed after {@code last}; a source that
   * cannot tell is refused, and a missing log passes only when an earlier rejoin ({@code rejoinedBefore}) dropped it.
   */
  static void check(SourceSpec source, SourcePosition last, boolean rejoinedBefore) {
    SourceSpec.Uncaptured uncaptured = source.uncaptured()
        .orElseThrow(why -> new CliException("ferry rejoin: " + why + "; nothing was changed"));
    if (last.kind() != SourcePosition.Kind.PG_LSN) {
      return;
    }
    Optional<Long> pending;
    try {
      pending = uncaptured.after(last);
    } catch (IOException e) {
      throw new CliException("ferry rejoin: cannot read " + uncaptured.log() + " on the old primary's database ("
          + e.getMessage() + "): the transactions it committed after its journal's last one cannot be counted;"
          + " nothing was changed");
    }
    if (pending.isEmpty()) {
      if (rejoinedBefore) {
        return;
      }
      throw new CliException("ferry rejoin: " + uncaptured.log() + " does not exist on the old primary's database:"
          + " what it committed after its journal's last transaction cannot be counted (it is not in the journal,"
          + " so not exported); nothing was changed");
    }
    if (pending.get() > 0) {
      throw new CliException("ferry rejoin: " + uncaptured.log() + " on the old primary's database holds "
          + pending.get() + " transaction(s) committed after the last one its journal holds (at " + last + "): they"
          + " belong to its divergent tail but are not in its journal yet. Journal them first: start 'ferry capture'"
          + " with this configuration until 'ferry status' shows them, stop it, then run 'ferry rejoin' again;"
          + " nothing was changed");
    }
  }
}
