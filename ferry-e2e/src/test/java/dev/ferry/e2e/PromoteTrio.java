package dev.ferry.e2e;

import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Primary A serving its journal over HTTP to replica nodes B and C, and the configurations the
 * promotion tests move them to ({@link ContinueAfterPromoteTest}, {@link RepointToPromotedRefused},
 * {@link RejoinAfterPromoteTest}). B's database is in a cluster of its own, as after a real failover
 * (slot names are a cluster's); A's and C's share one.
 */
final class PromoteTrio {
  private static final String PUSH = "      secret: continue-e2e-secret-42\n      heartbeat: 200ms\n      timeout: 2s\n"
      + "      retry-max: 1s\n";

  private final Path dir;
  private final FerryCli cli;
  private final int portA;
  private final int portB;

  /** A and B listen on free ports chosen now, so that a test can put something in front of A's first. */
  PromoteTrio(Path dir, FerryCli cli) throws Exception {
    this.dir = dir;
    this.cli = cli;
    this.portA = NodeConfigs.freePort();
    this.portB = NodeConfigs.freePort();
  }

  /** Primary A (serving its journal to B and C over HTTP) and replica nodes B and C, their replicas streaming. */
  record Nodes(String a, String b, String c, Path ca, Path cb, Path cc, Process pa, Process pb, Process pc) {}

  int portA() {
    return portA;
  }

  int portB() {
    return portB;
  }

  /** The trio with C fetching from A's port directly; {@code bServesC}: B also serves its copy to C. */
  Nodes start(PostgresCluster pg, PostgresCluster other, boolean bServesC) throws Exception {
    return start(pg, other, bServesC, portA);
  }

  /**
   * The trio with C fetching from {@code cFetchesFrom} (A's port, or a forwarder to it); the statements run on
   * A's database after {@code items} is created, before A's node starts.
   */
  Nodes start(PostgresCluster pg, PostgresCluster other, boolean bServesC, int cFetchesFrom, String... ddl)
      throws Exception {
    String a = pg.createDatabase("a");
    String b = other.createDatabase("b");
    String c = pg.createDatabase("c");
    Sql.execute(a, "CREATE TABLE items (id bigserial PRIMARY KEY, v text NOT NULL)");
    Sql.execute(a, ddl);
    Path ca = write("a.yaml", NodeConfigs.source("primary", a, "") + journal("a-journal", false)
        + "  serve:\n    http:\n      listen: 127.0.0.1:" + portA + "\n      consumers: [b, c]\n");
    Path cb = write("b.yaml", NodeConfigs.source("primary", a, "") + journal("b-journal", true)
        + NodeConfigs.from(portA, "b") + (bServesC ? serveB() : "") + NodeConfigs.replica("pg", b));
    Path cc = write("c.yaml", NodeConfigs.source("primary", a, "") + journal("c-journal", true)
        + NodeConfigs.from(cFetchesFrom, "c") + NodeConfigs.replica("pg", c));
    Process[] runs = NodeConfigs.startPrimaryAndTwoReplicaNodes(cli, dir, ca, cb, cc, a);
    return new Nodes(a, b, c, ca, cb, cc, runs[0], runs[1], runs[2]);
  }

  /** B serving its journal to C over HTTP. */
  String serveB() {
    return NodeConfigs.serve(portB, "c");
  }

  /** B pushes its journal to C, which listens on B's port. */
  String pushToC() {
    return "  push:\n    - name: c\n      to: 127.0.0.1:" + portB + "\n" + PUSH;
  }

  /** C listening for B's push. */
  String listenForB() {
    return "  from:\n    listen:\n      address: 127.0.0.1:" + portB + "\n" + PUSH;
  }

  /**
   * B after promotion: its own database as source, with a server id of its own, the copy as journal, serving
   * the listed HTTP consumers.
   */
  Path continuing(String b, String consumers) throws Exception {
    return write("b2.yaml", NodeConfigs.source("primary", b, "  gtid:\n    server-id: 2\n") + journal("b-journal", false)
        + NodeConfigs.serve(portB, consumers));
  }

  /** C re-pointed to B over HTTP. */
  Path repointed(String a, String c) throws Exception {
    return repointed(a, c, "");
  }

  /** C re-pointed to B over HTTP, with more settings of its journal ({@code serve}, say). */
  Path repointed(String a, String c, String journalMore) throws Exception {
    return write("c2.yaml", NodeConfigs.source("primary", a, "") + journal("c-journal", true)
        + NodeConfigs.from(portB, "c") + journalMore + NodeConfigs.replica("pg", c));
  }

  Path write(String name, String yaml) throws Exception {
    return Files.writeString(dir.resolve(name), yaml);
  }

  /** A journal Ferry writes ({@code copy} false) or a copy, whose segments are the primary's. */
  String journal(String name, boolean copy) {
    return NodeConfigs.journal(dir.resolve(name), copy);
  }

  static long newestSealed(Path journal) throws Exception {
    return DirectoryTransportCrashTest.sealed(journal).stream()
        .mapToLong(p -> dev.ferry.journal.SegmentFiles.sealedNumber(p).orElseThrow()).max().orElse(0);
  }
}
