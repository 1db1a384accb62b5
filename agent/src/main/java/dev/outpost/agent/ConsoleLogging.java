package dev.outpost.agent;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import dev.outpost.common.log.ContextMdc;
import java.util.Map;
import java.util.TimeZone;
import org.slf4j.Logger;

/**
 * The agent's logging, set up in code rather than from a logback.xml: parsing XML loads some 600
 * classes (logback's configuration model and the JDK's XML parser), a few MiB of metaspace that an
 * agent idling for months would carry for nothing. One line per event on standard output at {@code
 * OUTPOST_LOG_LEVEL} (INFO by default), or with {@code OUTPOST_LOG_FORMAT=json} one JSON object per
 * line (logback's JsonEncoder); {@code -Dlogback.configurationFile=FILE} still configures logging
 * from a file instead.
 *
 * <p>The line is what the pattern {@code %d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{20} -
 * %msg%replace( [%mdc]){' \[\]', ''}%n} gives (the server's), the MDC after the message when it
 * holds something (the operation's id and the computer's while an operation runs, {@link
 * ContextMdc} putting them there on whichever thread its continuations log), written by a layout of
 * its own: logback's PatternLayout registers every converter it knows when it is first used, some
 * 150 classes and lambdas, for the five this line needs.
 */
public final class ConsoleLogging extends ContextAwareBase implements Configurator {

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    return configure(
        context,
        System.getProperty("logback.configurationFile"),
        System.getenv("OUTPOST_LOG_LEVEL"),
        System.getenv("OUTPOST_LOG_FORMAT"));
  }

  /** Configures {@code context} for text lines unless a configuration file is named. */
  ExecutionStatus configure(LoggerContext context, String configurationFile, String level) {
    return configure(context, configurationFile, level, null);
  }

  /**
   * Configures {@code context} unless a configuration file is named: JSON objects when {@code
   * format} is {@code json}, else text lines.
   */
  ExecutionStatus configure(
      LoggerContext context, String configurationFile, String level, String format) {
    if (configurationFile != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    Encoder<ILoggingEvent> encoder =
        "json".equalsIgnoreCase(format == null ? "" : format.strip())
            ? jsonEncoder(context)
            : lineEncoder(context);
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("STDOUT");
    console.setEncoder(encoder);
    console.start();
    ContextMdc contextMdc = new ContextMdc();
    contextMdc.setContext(context);
    contextMdc.start();
    context.addTurboFilter(contextMdc);
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level, Level.INFO));
    root.addAppender(console);
    context.getLogger("io.netty").setLevel(Level.WARN);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  private static Encoder<ILoggingEvent> lineEncoder(LoggerContext context) {
    LineLayout layout = new LineLayout();
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    return encoder;
  }

  /** The server's JSON lines: what logback-json.xml configures there. */
  private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext context) {
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.setWithArguments(false);
    encoder.setWithMessage(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();
    return encoder;
  }

  /**
   * {@code %d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{20} - %msg%n}, then the stack trace of
   * the event's throwable as PatternLayout appends it: the date and time in the default time zone
   * with its offset, the level padded to five characters, the logger's name shortened as {@code
   * %logger{20}} shortens it.
   */
  static final class LineLayout extends LayoutBase<ILoggingEvent> {

    private static final long MILLIS_PER_DAY = 86_400_000L;

    private final TimeZone zone = TimeZone.getDefault();
    private final TargetLengthBasedClassNameAbbreviator abbreviator =
        new TargetLengthBasedClassNameAbbreviator(20);
    private final ThrowableProxyConverter throwable = new ThrowableProxyConverter();

    @Override
    public void start() {
      throwable.setContext(getContext());
      throwable.start();
      super.start();
    }

    @Override
    public String doLayout(ILoggingEvent event) {
      StringBuilder line = new StringBuilder(128);
      appendDateTime(line, event.getTimeStamp());
      line.append(' ');
      String level = event.getLevel().toString();
      line.append(level);
      for (int i = level.length(); i < 5; i++) {
        line.append(' ');
      }
      line.append(' ')
          .append(abbreviator.abbreviate(event.getLoggerName()))
          .append(" - ")
          .append(event.getFormattedMessage());
      appendMdc(line, event.getMDCPropertyMap());
      line.append(CoreConstants.LINE_SEPARATOR).append(throwable.convert(event));
      return line.toString();
    }

    /** What {@code %replace( [%mdc]){' \[\]', ''}} gives: nothing when the MDC is empty. */
    private static void appendMdc(StringBuilder line, Map<String, String> mdc) {
      if (mdc == null || mdc.isEmpty()) {
        return;
      }
      line.append(" [");
      boolean first = true;
      for (Map.Entry<String, String> entry : mdc.entrySet()) {
        if (!first) {
          line.append(", ");
        }
        first = false;
        line.append(entry.getKey()).append('=').append(entry.getValue());
      }
      line.append(']');
    }

    private void appendDateTime(StringBuilder line, long millis) {
      int offset = zone.getOffset(millis);
      java.time.LocalDate date =
          java.time.LocalDate.ofEpochDay(Math.floorDiv(millis + offset, MILLIS_PER_DAY));
      appendDigits(line, date.getYear(), 4);
      line.append('-');
      appendDigits(line, date.getMonthValue(), 2);
      line.append('-');
      appendDigits(line, date.getDayOfMonth(), 2);
      line.append('T');
      long ofDay = Math.floorMod(millis + offset, MILLIS_PER_DAY);
      appendDigits(line, ofDay / 3_600_000, 2);
      line.append(':');
      appendDigits(line, ofDay / 60_000 % 60, 2);
      line.append(':');
      appendDigits(line, ofDay / 1000 % 60, 2);
      line.append('.');
      appendDigits(line, ofDay % 1000, 3);
      if (offset == 0) {
        line.append('Z');
      } else {
        line.append(offset < 0 ? '-' : '+');
        int minutes = Math.abs(offset) / 60_000;
        appendDigits(line, minutes / 60, 2);
        line.append(':');
        appendDigits(line, minutes % 60, 2);
      }
    }

    private static void appendDigits(StringBuilder line, long value, int width) {
      String digits = Long.toString(value);
      for (int i = digits.length(); i < width; i++) {
        line.append('0');
      }
      line.append(digits);
    }
  }
}
