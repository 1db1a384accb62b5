package dev.outpost.server;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How the server logs: {@code OUTPOST_LOG_LEVEL} (the root level) and {@code OUTPOST_LOG_FORMAT}
 * ({@code text}, a line per event, or {@code json}, a JSON object per line). logback.xml reads both
 * as properties; {@link #apply} sets them from the settings (the configuration file's and the
 * environment's) before the first logger is made, refusing a value logback would silently take for
 * another.
 */
public final class LogSettings {

  /** The settings read here rather than by {@link ServerConfig}. */
  public static final Set<String> NAMES = Set.of("OUTPOST_LOG_LEVEL", "OUTPOST_LOG_FORMAT");

  private static final Set<String> LEVELS =
      Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");
  private static final Set<String> FORMATS = Set.of("text", "json");

  private LogSettings() {}

  /**
   * Checks both settings and sets them as system properties for logback.xml. Call it before
   * anything logs.
   *
   * @throws IllegalArgumentException naming the setting and the values it takes
   */
  public static void apply(Map<String, String> settings) {
    String level = value(settings, "OUTPOST_LOG_LEVEL", "INFO").toUpperCase(Locale.ROOT);
    if (!LEVELS.contains(level)) {
      throw new IllegalArgumentException(
          "OUTPOST_LOG_LEVEL must be TRACE, DEBUG, INFO, WARN, ERROR or OFF, not '"
              + settings.get("OUTPOST_LOG_LEVEL").strip()
              + "'");
    }
    String format = value(settings, "OUTPOST_LOG_FORMAT", "text").toLowerCase(Locale.ROOT);
    if (!FORMATS.contains(format)) {
      throw new IllegalArgumentException(
          "OUTPOST_LOG_FORMAT must be text or json, not '"
              + settings.get("OUTPOST_LOG_FORMAT").strip()
              + "'");
    }
    System.setProperty("OUTPOST_LOG_LEVEL", level);
    System.setProperty("OUTPOST_LOG_FORMAT", format);
  }

  /** Whether events are logged as JSON, as {@link #apply} set it. */
  public static boolean json() {
    return "json".equals(System.getProperty("OUTPOST_LOG_FORMAT"));
  }

  private static String value(Map<String, String> settings, String name, String fallback) {
    String value = settings.get(name);
    return value == null || value.isBlank() ? fallback : value.strip();
  }
}
