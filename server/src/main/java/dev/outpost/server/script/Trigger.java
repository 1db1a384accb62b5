package dev.outpost.server.script;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.outpost.common.error.OutpostException;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;

/**
 * When a script profile fires: once at a time, on a Unix cron expression read in a time zone, or on
 * an event (a computer enrolling).
 */
public sealed interface Trigger {

  /** The trigger's type as the API names it. */
  String type();

  /**
   * The next time this trigger is due after {@code now}: what a new profile waits for, and what a
   * firing at {@code now} moves on to (so a server that was down over several due times fires once,
   * then waits for the next one to come). Empty when nothing is due any more.
   */
  Optional<Instant> nextAfter(Instant now);

  /** The trigger as the API shows it. */
  JsonObject json();

  /** Fires once, at {@code at}. */
  record OneTime(Instant at) implements Trigger {
    @Override
    public String type() {
      return "one_time";
    }

    @Override
    public Optional<Instant> nextAfter(Instant now) {
      return at.isAfter(now) ? Optional.of(at) : Optional.empty();
    }

    @Override
    public JsonObject json() {
      return new JsonObject().put("trigger_type", type()).put("timestamp", at.toString());
    }
  }

  /** Fires at each time a Unix cron expression, read in a time zone, names after a start. */
  record Recurring(Instant startAfter, String interval, ZoneId timezone) implements Trigger {

    private static final CronParser PARSER =
        new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    /** Parses the expression: a 400 naming it when it is not a Unix cron expression. */
    public Recurring {
      executionTime(interval);
    }

    @Override
    public String type() {
      return "recurring";
    }

    @Override
    public Optional<Instant> nextAfter(Instant now) {
      Instant from = now.isBefore(startAfter) ? startAfter : now;
      return executionTime(interval)
          .nextExecution(from.atZone(timezone))
          .map(next -> next.toInstant());
    }

    @Override
    public JsonObject json() {
      return new JsonObject()
          .put("trigger_type", type())
          .put("start_after", startAfter.toString())
          .put("interval", interval)
          .put("timezone", timezone.getId());
    }

    private static ExecutionTime executionTime(String interval) {
      Cron cron;
      try {
        cron = PARSER.parse(interval);
        cron.validate();
      } catch (IllegalArgumentException e) {
        throw OutpostException.badRequest(
            "'interval' must be a Unix cron expression such as '0 3 * * *', not '"
                + interval
                + "': "
                + e.getMessage());
      }
      return ExecutionTime.forCron(cron);
    }
  }

  /** Fires for each computer that enrolls (registers) and matches the profile's targets. */
  record PostEnrollment() implements Trigger {

    /** The one event a profile may wait for. */
    public static final String EVENT = "post_enrollment";

    @Override
    public String type() {
      return "event";
    }

    @Override
    public Optional<Instant> nextAfter(Instant now) {
      return Optional.empty();
    }

    @Override
    public JsonObject json() {
      return new JsonObject().put("trigger_type", type()).put("event_type", EVENT);
    }
  }

  /**
   * Reads a trigger as the API takes it, refusing each malformed part by name; a one-time trigger
   * must lie ahead of {@code now}.
   */
  static Trigger read(JsonObject json, Instant now) {
    String type = text(json, "trigger_type");
    return switch (type) {
      case "one_time" -> {
        fields(json, Set.of("trigger_type", "timestamp"));
        Instant at = time(json, "timestamp");
        if (!at.isAfter(now)) {
          throw OutpostException.badRequest("trigger 'timestamp' must be in the future");
        }
        yield new OneTime(at);
      }
      case "recurring" -> {
        fields(json, Set.of("trigger_type", "start_after", "interval", "timezone"));
        Instant start = json.containsKey("start_after") ? time(json, "start_after") : now;
        String zone = json.containsKey("timezone") ? text(json, "timezone") : "UTC";
        try {
          yield new Recurring(start, text(json, "interval"), ZoneId.of(zone));
        } catch (DateTimeException e) {
          throw OutpostException.badRequest(
              "trigger 'timezone' must name a time zone such as 'Europe/Paris', not '"
                  + zone
                  + "'");
        }
      }
      case "event" -> {
        fields(json, Set.of("trigger_type", "event_type"));
        String event = text(json, "event_type");
        if (!event.equals(PostEnrollment.EVENT)) {
          throw OutpostException.badRequest(
              "trigger 'event_type' must be '" + PostEnrollment.EVENT + "', not '" + event + "'");
        }
        yield new PostEnrollment();
      }
      default ->
          throw OutpostException.badRequest(
              "'trigger_type' must be one_time, recurring or event, not '" + type + "'");
    };
  }

  private static void fields(JsonObject json, Set<String> known) {
    for (String field : json.fieldNames()) {
      if (!known.contains(field)) {
        throw OutpostException.badRequest("unknown trigger field '" + field + "'");
      }
    }
  }

  private static String text(JsonObject json, String field) {
    if (!(json.getValue(field) instanceof String value)) {
      throw OutpostException.badRequest("trigger field '" + field + "' must be a string");
    }
    return value;
  }

  private static Instant time(JsonObject json, String field) {
    String value = text(json, field);
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw OutpostException.badRequest(
          "trigger field '"
              + field
              + "' must be an ISO-8601 time with an offset, such as 2030-01-01T00:00:00Z, not '"
              + value
              + "'");
    }
  }
}
