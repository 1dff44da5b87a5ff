package dev.ferry.e2e;

import static dev.ferry.e2e.NodeConfigs.freePort;
import static dev.ferry.e2e.NodeConfigs.from;
import static dev.ferry.e2e.NodeConfigs.journal;
import static dev.ferry.e2e.NodeConfigs.replica;
import static dev.ferry.e2e.NodeConfigs.serve;
import static dev.ferry.e2e.NodeConfigs.source;

import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Primary A (serving its journal to B and C over HTTP) and replica nodes B and C, each with one
 * replica {@code pg}, their replicas streaming: the start of the tests of promotion and re-pointing.
 */
record NodeTrio(String a, String b, String c, int portA, int portB, Path ca, Path cb, Path cc, Process pa,
    Process pb, Process pc) {

  /**
   * B's database in a cluster of its own ({@code other}), as after a real failover (slot names are a
   * cluster's); with {@code bServesC} B serves its copy to C ({@code journal.serve.http} with consumer
   * {@code c}), so it keeps what C lacks.
   */
  static NodeTrio start(Path dir, PostgresCluster pg, PostgresCluster other, FerryCli cli, boolean bServesC)
      throws Exception {
    String a = pg.createDatabase("a");
    String b = other.createDatabase("b");
    String c = pg.createDatabase("c");
    Sql.execute(a, "CREATE TABLE items (id bigserial PRIMARY KEY, v text NOT NULL)");
    int portA = freePort();
    int portB = freePort();
    Path ca = Files.writeString(dir.resolve("a.yaml"), source("primary", a, "")
        + journal(dir.resolve("a-journal"), false) + serve(portA, "b, c"));
    Path cb = Files.writeString(dir.resolve("b.yaml"), source("primary", a, "")
        + journal(dir.resolve("b-journal"), true) + from(portA, "b") + (bServesC ? serve(portB, "c") : "")
        + replica("pg", b));
    Path cc = Files.writeString(dir.resolve("c.yaml"), source("primary", a, "")
        + journal(dir.resolve("c-journal"), true) + from(portA, "c") + replica("pg", c));
    Process pa = cli.start(dir.resolve("a.log"), "run", "-c", ca.toString());
    DirectoryTransportCrashTest.awaitSourceStreaming(cli, ca, pa);
    Sql.execute(a, "INSERT INTO items (v) VALUES ('first')");
    Process pb = cli.start(dir.resolve("b.log"), "run", "-c", cb.toString());
    Process pc = cli.start(dir.resolve("c.log"), "run", "-c", cc.toString());
    DirectoryTransportCrashTest.awaitReplicasStreaming(cli, cb, pb);
    DirectoryTransportCrashTest.awaitReplicasStreaming(cli, cc, pc);
    return new NodeTrio(a, b, c, portA, portB, ca, cb, cc, pa, pb, pc);
  }
}
