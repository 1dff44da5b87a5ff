package dev.ferry.node.run;

import dev.ferry.apply.sync.CopyOptions;
import dev.ferry.journal.model.TableId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code ferry table add|resync} on a source that can copy tables from a snapshot while
 * replication streams (a {@link SourceSpec}'s feature).
 */
public interface TableCopies {
  /**
   * Whether the source captures {@code table} already, after checking that it could be added
   * (it exists and has a key).
   *
   * @throws IOException naming the table and what it lacks
   */
  boolean captures(TableId table) throws IOException;

  /** What holds the captured tables, as messages name it: {@code publication ferry_pub}. */
  String capturedBy();

  /** The schema of a table named without one: {@code public}; SQLite's {@code main}. */
  default String defaultSchema() {
    return "public";
  }

  /**
   * Copies {@code tables} from a new snapshot into {@code replicas}, first adding them to what the
   * source captures when {@code add}; {@code say} gets the progress and outcome lines.
   */
  void copy(List<TableId> tables, List<ReplicaSpec> replicas, Path journalDir, boolean add, CopyOptions options,
      Consumer<String> say) throws IOException;
}
