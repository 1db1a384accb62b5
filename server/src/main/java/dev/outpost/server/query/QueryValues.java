package dev.outpost.server.query;

import dev.outpost.common.error.OutpostException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/** The values terms of the query languages share: numbers and times, each refused by name. */
public final class QueryValues {

  private static final Instant EARLIEST =
      LocalDate.of(1, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();
  private static final Instant LATEST =
      LocalDate.of(10_000, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();

  private QueryValues() {}

  /** A whole number, the value of the term {@code key:}. */
  public static long number(String key, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw OutpostException.badRequest(
          "query term '" + key + ":' needs a number, not '" + value + "'");
    }
  }

  /**
   * An ISO-8601 date (its midnight UTC) or date-time (UTC unless it names an offset), the value of
   * the term {@code key:}.
   */
  public static Instant time(String key, String value) {
    return isoTime(value)
        .orElseThrow(
            () ->
                OutpostException.badRequest(
                    "query term '"
                        + key
                        + ":' needs an ISO-8601 date or date-time such as 2030-01-31 or"
                        + " 2030-01-31T12:00:00Z, not '"
                        + value
                        + "'"));
  }

  /** The time an ISO-8601 date or date-time stands for; empty when it is none (or out of range). */
  public static Optional<Instant> isoTime(String value) {
    Instant instant;
    try {
      instant = parseTime(value);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
    // Years past 9999 parse but are beyond what a timestamptz comparison should be asked.
    return instant.isBefore(EARLIEST) || !instant.isBefore(LATEST)
        ? Optional.empty()
        : Optional.of(instant);
  }

  private static Instant parseTime(String value) {
    if (value.indexOf('T') < 0 && value.indexOf('t') < 0) {
      return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    String upper = value.toUpperCase(Locale.ROOT);
    try {
      return OffsetDateTime.parse(upper).toInstant();
    } catch (DateTimeParseException noOffset) {
      return LocalDateTime.parse(upper).toInstant(ZoneOffset.UTC);
    }
  }
}
