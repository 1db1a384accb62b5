package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class ConsoleLoggingTest {

  /**
   * Verifies that the agent logs to the console at the level OUTPOST_LOG_LEVEL names, with Netty's
   * chatter held to warnings.
   */
  @Test
  void logsToTheConsoleAtTheLevelTheEnvironmentNames() {
    LoggerContext context = new LoggerContext();

    ExecutionStatus status = new ConsoleLogging().configure(context, null, "debug");

    assertThat(status).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.DEBUG);
    assertThat(root.getAppender("STDOUT"))
        .isInstanceOf(ConsoleAppender.class)
        .matches(appender -> appender.isStarted());
    assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
  }

  /** Verifies that an unset or unknown level means INFO. */
  @Test
  void logsAtInfoWhenNoLevelIsNamed() {
    LoggerContext context = new LoggerContext();

    new ConsoleLogging().configure(context, null, null);

    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.INFO);
  }

  /**
   * Verifies that a configuration file named with -Dlogback.configurationFile is left to logback.
   */
  @Test
  void leavesANamedConfigurationFileToLogback() {
    LoggerContext context = new LoggerContext();

    ExecutionStatus status =
        new ConsoleLogging().configure(context, "/etc/outpost/logback.xml", "debug");

    assertThat(status).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT")).isNull();
  }

  /**
   * Verifies that a line reads as PatternLayout writes {@code %d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX}
   * %-5level %logger{20} - %msg%replace( [%mdc]){' \[\]', ''}%n}, a throwable's stack trace
   * included, and the MDC after the message when it holds something.
   */
  @Test
  void writesTheLinesPatternLayoutWould() {
    LoggerContext context = new LoggerContext();
    ch.qos.logback.classic.util.LogbackMDCAdapter mdc =
        new ch.qos.logback.classic.util.LogbackMDCAdapter();
    context.setMDCAdapter(mdc);
    PatternLayout pattern = new PatternLayout();
    pattern.setContext(context);
    pattern.setPattern(
        "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{20} - %msg%replace( [%mdc]){' \\[\\]',"
            + " ''}%n");
    pattern.start();
    ConsoleLogging.LineLayout layout = new ConsoleLogging.LineLayout();
    layout.setContext(context);
    layout.start();
    ch.qos.logback.classic.Logger logger = context.getLogger("dev.outpost.agent.exchange.Protocol");
    IOException failure = new IOException("closed", new IllegalStateException("gone"));

    for (LoggingEvent event :
        new LoggingEvent[] {
          new LoggingEvent(
              "fqcn", logger, Level.INFO, "registered [insecure-id: {}]", null, new Object[] {7}),
          new LoggingEvent("fqcn", logger, Level.WARN, "exchange failed", failure, null),
          new LoggingEvent("fqcn", context.getLogger("x"), Level.ERROR, null, null, null)
        }) {
      event.setTimeStamp(1_700_000_123_456L);
      assertThat(layout.doLayout(event)).isEqualTo(pattern.doLayout(event));
    }
    mdc.put("operation_id", "12");
    mdc.put("computer_id", "3");
    LoggingEvent marked =
        new LoggingEvent("fqcn", logger, Level.INFO, "operation started", null, null);
    marked.setTimeStamp(1_700_000_123_456L);
    assertThat(layout.doLayout(marked))
        .isEqualTo(pattern.doLayout(marked))
        .contains("operation_id=12")
        .contains("computer_id=3");
    mdc.clear();
  }

  /** Verifies that OUTPOST_LOG_FORMAT=json writes one JSON object per event, on one line. */
  @Test
  void writesJsonObjectsWhenAsked() {
    LoggerContext context = new LoggerContext();
    // logback's own start gives a context its MDC adapter; a context made here has none
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    new ConsoleLogging().configure(context, null, null, "json");
    ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> console =
        (ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent>)
            context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
    LoggingEvent event =
        new LoggingEvent(
            "fqcn",
            context.getLogger("dev.outpost.agent.exchange.Protocol"),
            Level.INFO,
            "registered [insecure-id: {}]",
            null,
            new Object[] {7});

    String line = new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);

    assertThat(line).endsWith("\n").hasLineCount(1);
    io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject(line);
    assertThat(json.getString("level")).isEqualTo("INFO");
    assertThat(json.getString("formattedMessage")).isEqualTo("registered [insecure-id: 7]");
  }
}
