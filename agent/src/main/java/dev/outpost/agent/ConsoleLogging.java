package dev.outpost.agent;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * The agent's logging, set up in code rather than from a logback.xml: parsing XML loads some 600
 * classes (logback's configuration model and the JDK's XML parser), a few MiB of metaspace that
 * an agent idling for months would carry for nothing. One line per event on standard output at
 * {@code OUTPOST_LOG_LEVEL} (INFO by default); {@code -Dlogback.configurationFile=FILE} still
 * configures logging from a file instead.
 */
public final class ConsoleLogging extends ContextAwareBase implements Configurator {

  private static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    return configure(context, System.getProperty("logback.configurationFile"),
        System.getenv("OUTPOST_LOG_LEVEL"));
  }

  /** Configures {@code context} unless a configuration file is named. */
  ExecutionStatus configure(LoggerContext context, String configurationFile, String level) {
    if (configurationFile != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("STDOUT");
    console.setEncoder(encoder);
    console.start();
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level, Level.INFO));
    root.addAppender(console);
    context.getLogger("io.netty").setLevel(Level.WARN);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
