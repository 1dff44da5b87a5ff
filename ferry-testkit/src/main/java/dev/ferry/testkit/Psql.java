package dev.ferry.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code psql} client, for tests that must send what users send: {@code psql -c "…"}
 * passes its whole string as one simple-query message, several statements in one (JDBC would
 * split them into separate messages).
 */
public final class Psql {
  private Psql() {
  }

  /**
   * Runs {@code psql -c sql} against {@code database} of {@code cluster} as {@code postgres},
   * stopping at the first error; returns psql's output, or throws with it when psql fails.
   */
  public static String command(PostgresCluster cluster, String database, String sql)
      throws IOException, InterruptedException {
    Path bin = PostgresBinaries.locate().orElseThrow(() -> new IOException("psql not found"));
    List<String> command = List.of(bin.resolve("psql").toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1",
        "-h", "127.0.0.1", "-p", Integer.toString(cluster.port()), "-U", "postgres", "-d", database, "-c", sql);
    Path out = Files.createTempFile("ferry-psql-", ".out");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException("psql did not finish within 2 minutes: " + sql);
      }
      String output = Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IOException("psql failed with exit code " + p.exitValue() + ": " + output + "\nquery: " + sql);
      }
      return output;
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
