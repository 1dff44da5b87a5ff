package dev.ferry.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The PostgreSQL server binaries and the OS user they run as. PostgreSQL refuses to run as root,
 * so when this JVM is root every tool runs as {@code postgres} through {@code runuser}, and files
 * it must write are handed over to that user first.
 */
record PostgresBinaries(Path bin, boolean asPostgresUser) {
  static final String PREFERRED_VERSION = "15";

  static PostgresBinaries find() throws IOException {
    Path bin = locate().orElseThrow(() -> new IOException(
        "PostgreSQL server binaries not found: set FERRY_PG_BIN or install the postgresql-"
            + PREFERRED_VERSION + " package (/usr/lib/postgresql/" + PREFERRED_VERSION + "/bin)"));
    return new PostgresBinaries(bin, "root".equals(System.getProperty("user.name")));
  }

  /** The binary directory: {@code $FERRY_PG_BIN}, else version 15, else the newest installed. */
  static Optional<Path> locate() throws IOException {
    String env = System.getenv("FERRY_PG_BIN");
    if (env != null && !env.isBlank()) {
      return Optional.of(Path.of(env)).filter(p -> Files.isExecutable(p.resolve("postgres")));
    }
    Path preferred = Path.of("/usr/lib/postgresql", PREFERRED_VERSION, "bin");
    if (Files.isExecutable(preferred.resolve("postgres"))) {
      return Optional.of(preferred);
    }
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("postgres")))
          .max(Comparator.comparing(b -> versionOf(b.getParent())));
    }
  }

  private static int versionOf(Path dir) {
    try {
      return Integer.parseInt(dir.getFileName().toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Lets the server's OS user own {@code path} (recursively). A no-op when not root. */
  void handOver(Path path) throws IOException, InterruptedException {
    if (asPostgresUser) {
      exec(List.of("chown", "-R", "postgres:postgres", path.toString()), path.getParent(), Duration.ofSeconds(30));
    }
  }

  /** Runs tool {@code name} from the binary directory in {@code workDir}; fails with its output. */
  void run(Path workDir, Duration timeout, String name, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (asPostgresUser) {
      command.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    command.add(bin.resolve(name).toString());
    command.addAll(List.of(args));
    exec(command, workDir, timeout);
  }

  private static void exec(List<String> command, Path workDir, Duration timeout) throws IOException, InterruptedException {
    Path out = Files.createTempFile("ferry-pgtool-", ".out");
    try {
      Process p = new ProcessBuilder(command).directory(workDir.toFile())
          .redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish within " + timeout);
      }
      if (p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " failed with exit code " + p.exitValue() + ":\n"
            + Files.readString(out, StandardCharsets.UTF_8));
      }
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
