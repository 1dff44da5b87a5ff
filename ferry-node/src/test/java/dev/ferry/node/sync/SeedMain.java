package dev.ferry.node.sync;

import java.nio.file.Path;

/** Seeds a replica in its own process, slowly (one stream, small ranges), so a test can kill it midway. */
public final class SeedMain {
  private SeedMain() {
  }

  /** Arguments: source JDBC URL, target JDBC URL, journal directory. */
  public static void main(String[] args) throws Exception {
    InitialSync.seed(SyncFixture.source(args[0]), SyncFixture.replica(args[1]), Path.of(args[2]),
        SyncFixture.options(1, 2_000));
  }
}
