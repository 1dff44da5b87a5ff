package dev.ferry.node.run;

import dev.ferry.node.sync.FullExport;
import java.io.IOException;
import java.nio.file.Path;

/** {@code ferry export} on a source whose tables can be written into an export archive (a {@link SourceSpec}'s feature). */
public interface Exports {
  /** Writes the archive {@code dir} from a snapshot, as a replication point of {@code journalDir} when asked. */
  FullExport.Exported export(Path journalDir, Path dir, FullExport.Options options)
      throws IOException, InterruptedException;
}
