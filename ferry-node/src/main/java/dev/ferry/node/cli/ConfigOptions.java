package dev.ferry.node.cli;

import ch.qos.logback.classic.Level;
import dev.ferry.node.config.ConfigException;
import dev.ferry.node.config.FerryConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that reads the configuration shares. */
final class ConfigOptions {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "The configuration file (default: $FERRY_CONFIG, else ferry.yaml).")
  Path file;

  @Option(names = {"-v", "--verbose"}, description = "Log more (debug level), with stack traces.")
  boolean verbose;

  Path file() {
    if (file != null) {
      return file;
    }
    String env = System.getenv("FERRY_CONFIG");
    return Path.of(env != null && !env.isBlank() ? env : "ferry.yaml");
  }

  /** Loads the configuration; a problem is a usage error (exit 2) naming file, line and key. */
  FerryConfig load() {
    try {
      return FerryConfig.load(file());
    } catch (ConfigException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** Logging for a process that runs replication: console plus replication.log in the log dir. */
  void startLogging(FerryConfig config) throws IOException {
    Files.createDirectories(config.log().dir());
    Level level = verbose ? Level.DEBUG : Level.toLevel(config.log().level().name(), Level.INFO);
    Logging.configure(level, verbose, config.log().file());
  }

  /** Logging for a short command: warnings (or everything with --verbose) to the console only. */
  void startQuietLogging() {
    Logging.configure(verbose ? Level.DEBUG : Level.WARN, verbose, null);
  }
}
