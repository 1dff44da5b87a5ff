package dev.ferry.node.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Logging of a node process: every line to standard error at the configured level, and warnings
 * and errors also to {@code replication.log} (Firebird's replication.log). Each line names its
 * side and node, as the components write it ({@code [source primary]}, {@code [replica r1]}).
 * Stack traces reach the console only with {@code --verbose}; {@code replication.log} keeps them.
 */
final class Logging {
  private static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %msg%n";
  private static final String NO_STACK_TRACE = "%nopex";

  /**
   * A logger whose lines go to {@code replication.log} only: for an error the command line also
   * prints as its last line, so the console shows it once.
   */
  static final String FILE_ONLY = "ferry.replication-log";

  private Logging() {}

  static void configure(Level level, boolean verbose, Path replicationLog) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(level);

    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setTarget("System.err");
    console.setEncoder(encoder(context, verbose ? PATTERN : PATTERN + NO_STACK_TRACE));
    console.start();
    root.addAppender(console);

    if (replicationLog != null) {
      FileAppender<ILoggingEvent> file = new FileAppender<>();
      file.setContext(context);
      file.setFile(replicationLog.toString());
      file.setAppend(true);
      file.setEncoder(encoder(context, PATTERN));
      ThresholdFilter warnings = new ThresholdFilter();
      warnings.setLevel("WARN");
      warnings.start();
      file.addFilter(warnings);
      file.start();
      root.addAppender(file);
      Logger fileOnly = context.getLogger(FILE_ONLY);
      fileOnly.setAdditive(false);
      fileOnly.addAppender(file);
    }
    // Export and load report each table done, even in a short command that shows only warnings.
    context.getLogger("ferry.progress").setLevel(Level.INFO);
    // Drivers are chatty at INFO; their warnings still show.
    context.getLogger("org.postgresql").setLevel(Level.WARN);
  }

  private static PatternLayoutEncoder encoder(LoggerContext context, String pattern) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(pattern);
    encoder.start();
    return encoder;
  }
}
