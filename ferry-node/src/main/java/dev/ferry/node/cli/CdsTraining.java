package dev.ferry.node.cli;

import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.NodeStatus;
import dev.ferry.node.run.StatusJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a short command's class data sharing archive is made from, beside the command itself
 * ({@code bin/ferry} sets {@code ferry.cds.training} on the run that makes it): the JVM archives
 * only the classes that run loaded, so an archive made by a {@code status} that failed on its
 * configuration, or printed text, would leave every later {@code status --json} loading Jackson's
 * classes from the jar (about half a second of CPU more each, measured). This reads a
 * configuration and a status file's document and writes the document as JSON and as text, into
 * nothing: no output, no file, no connection.
 */
final class CdsTraining {
  static final String PROPERTY = "ferry.cds.training";
  /** A configuration with a replica of each kind of target: its reading, not its databases. */
  private static final String CONFIG = """
      source:
        name: primary
        url: jdbc:postgresql://localhost:5432/app
      journal:
        dir: /var/lib/ferry/journal
      replicas:
        - name: pg
          url: jdbc:postgresql://replica:5432/app
          conflicts: overwrite
        - name: lite
          url: jdbc:sqlite:/var/lib/ferry/replica.db
        - name: maria
          url: jdbc:mariadb://replica:3306/app
      """;

  private CdsTraining() {}

  /** Runs the training when the launcher asked for it; a failure costs only the archive's coverage. */
  static void runIfAsked() {
    if (!Boolean.getBoolean(PROPERTY)) {
      return;
    }
    try {
      run();
    } catch (Exception e) {
      // The command's own output and exit code are what count: nothing is said.
    }
  }

  static void run() throws Exception {
    String sample;
    try (InputStream in = CdsTraining.class.getResourceAsStream("cds-training-status.json")) {
      if (in == null) {
        throw new IOException("cds-training-status.json is not in the jar");
      }
      sample = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    FerryConfig.parse(CONFIG, Path.of("ferry.yaml"), Map.of());
    NodeStatus status = StatusJson.read(sample, NodeStatus.class);
    StatusFile.Document document = StatusJson.read(StatusJson.write(new StatusFile.Document(1, "run", true, status)),
        StatusFile.Document.class);
    StatusJson.of(document.status());
    PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
    StatusText.print(nowhere, document.status());
    nowhere.flush();
  }
}
