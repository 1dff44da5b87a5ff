package dev.ferry.bench.replication;

/**
 * PostgreSQL 15's own logical replication: subscription {@code native_sub} in {@code native_r}
 * (default {@code synchronous_commit = off} for its apply worker), enabled and disabled per turn.
 */
final class NativePeer implements Peer {
  private final Env env;

  NativePeer(Env env) {
    this.env = env;
  }

  @Override
  public String name() {
    return "native";
  }

  @Override
  public String replicaDb() {
    return Env.NATIVE_DB;
  }

  @Override
  public void prepare(Options options) {}

  @Override
  public void start() throws Exception {
    Env.exec(env.replica.jdbcUrl(Env.NATIVE_DB), "ALTER SUBSCRIPTION native_sub ENABLE");
  }

  @Override
  public boolean alive() {
    return true;
  }

  @Override
  public void stop() throws Exception {
    Env.exec(env.replica.jdbcUrl(Env.NATIVE_DB), "ALTER SUBSCRIPTION native_sub DISABLE");
    long deadline = System.nanoTime() + Peer.stopTimeout().toNanos();
    while (Env.queryLong(env.primaryUrl(),
        "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'native_sub' AND active") > 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("slot native_sub still active " + Peer.stopTimeout() + " after DISABLE");
      }
      Thread.sleep(10);
    }
  }

  @Override
  public long peakRssBytes() {
    return -1;
  }

  @Override
  public String failure() {
    return null;
  }
}
