package dev.outpost.server.api;

import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.error.OutpostException;
import dev.outpost.server.account.AccountSettings;
import dev.outpost.server.account.ClientIntervals;
import dev.outpost.server.activity.NewActivity;
import dev.outpost.server.activity.PageRequest;
import dev.outpost.server.computer.ComputerPage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Reads admin API requests, refusing every malformed part by name. */
final class Requests {

  private static final Set<String> NEW_ACTIVITY_FIELDS =
      Set.of(
          "type",
          "computer_ids",
          "query",
          "all_computers",
          "parameters",
          "summary",
          "deliver_after",
          "deliver_before",
          "deliver_delay_window",
          "requires_approval",
          "depends_on",
          "progress_threshold",
          "on_dependency_failure",
          "execution_timeout",
          "max_concurrency",
          "max_errors");
  private static final Pattern PERCENT = Pattern.compile("(\\d{1,3})%");
  private static final Set<String> SETTINGS_FIELDS =
      Set.of(
          "approval_types",
          "fail_stale_results",
          "retention_days",
          "four_eyes",
          "exchange_interval",
          "urgent_exchange_interval",
          "ping_interval");

  /** The longest retention: a hundred years. */
  private static final int MAX_RETENTION_DAYS = 36_500;

  private static final Set<String> REAPPLY_FIELDS =
      Set.of("id", "ids", "failed_only", "parameters");

  /**
   * A reapply request: which activities ({@code "id"}: one, answered alone; {@code "ids"}: several,
   * answered as a list), whether only where they failed, and the secret parameters given again.
   */
  record Reapply(List<Long> ids, boolean several, boolean failedOnly, JsonObject secrets) {}

  private Requests() {}

  static JsonObject body(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().length() == 0) {
      throw OutpostException.badRequest("the request needs a JSON object body");
    }
    try {
      return ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      throw OutpostException.badRequest("the body is not a JSON object: " + e.getMessage());
    }
  }

  static NewActivity newActivity(JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!NEW_ACTIVITY_FIELDS.contains(field)) {
        throw OutpostException.badRequest("unknown field '" + field + "'");
      }
    }
    Optional<Long> dependsOn =
        field(body, "depends_on", Number.class, "an activity id").map(Number::longValue);
    Optional<Integer> threshold = intField(body, "progress_threshold", 1, 100);
    String onFailure = text(body, "on_dependency_failure").orElse("cancel");
    if (!onFailure.equals("cancel") && !onFailure.equals("run")) {
      throw OutpostException.badRequest(
          "field 'on_dependency_failure' must be 'cancel' or 'run', not '" + onFailure + "'");
    }
    if (dependsOn.isEmpty()
        && (threshold.isPresent() || body.containsKey("on_dependency_failure"))) {
      throw OutpostException.badRequest(
          "fields 'progress_threshold' and 'on_dependency_failure' need 'depends_on'");
    }
    boolean allComputers = field(body, "all_computers", Boolean.class, "a boolean").orElse(false);
    Optional<String> query = text(body, "query");
    if (query.map(String::isBlank).orElse(false)) {
      throw OutpostException.badRequest(
          "field 'query' holds no term; to target every computer, give \"all_computers\": true");
    }
    if (Stream.of(body.containsKey("computer_ids"), query.isPresent(), allComputers)
            .filter(given -> given)
            .count()
        > 1) {
      throw OutpostException.badRequest(
          "give one of 'computer_ids', 'query' or 'all_computers', not several");
    }
    return new NewActivity(
        text(body, "type").orElseThrow(() -> OutpostException.badRequest("missing field 'type'")),
        ids(body, "computer_ids"),
        allComputers ? Optional.of("") : query,
        field(body, "parameters", JsonObject.class, "an object").orElseGet(JsonObject::new),
        text(body, "summary"),
        text(body, "deliver_after").map(Requests::instant),
        text(body, "deliver_before").map(Requests::instant),
        intField(body, "deliver_delay_window", 0, 7 * 24 * 60).orElse(0),
        field(body, "requires_approval", Boolean.class, "a boolean").orElse(false),
        dependsOn.map(id -> new NewActivity.Dependency(id, threshold, onFailure.equals("run"))),
        intField(body, "execution_timeout", 1, Integer.MAX_VALUE),
        limit(body, "max_concurrency", 1),
        limit(body, "max_errors", 0));
  }

  /** A count ({@code 5}) or a percentage of the group's children ({@code "10%"}). */
  private static Optional<NewActivity.Limit> limit(JsonObject body, String name, int min) {
    Object value = body.getValue(name);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof String text) {
      Matcher percent = PERCENT.matcher(text.strip());
      int number = percent.matches() ? Integer.parseInt(percent.group(1)) : -1;
      if (number < min || number > 100) {
        throw OutpostException.badRequest(
            "field '"
                + name
                + "' must be a count or a percentage"
                + " from "
                + min
                + "% to 100%, not '"
                + text
                + "'");
      }
      return Optional.of(new NewActivity.Limit(number, true));
    }
    return intField(body, name, min, Integer.MAX_VALUE).map(n -> new NewActivity.Limit(n, false));
  }

  private static Optional<Integer> intField(JsonObject body, String name, int min, int max) {
    Optional<Number> value = field(body, name, Number.class, "a whole number");
    if (value.isEmpty()) {
      return Optional.empty();
    }
    Number number = value.get();
    if (!(number instanceof Integer || number instanceof Long)
        || number.longValue() < min
        || number.longValue() > max) {
      throw OutpostException.badRequest(
          "field '"
              + name
              + "' must be a whole number from "
              + min
              + " to "
              + max
              + ", not "
              + number);
    }
    return Optional.of(number.intValue());
  }

  /** Account policies from a PATCH body; fields left out keep their current value. */
  static AccountSettings settings(JsonObject body, AccountSettings current) {
    for (String field : body.fieldNames()) {
      if (!SETTINGS_FIELDS.contains(field)) {
        throw OutpostException.badRequest("unknown field '" + field + "'");
      }
    }
    List<String> types = current.approvalTypes();
    if (body.containsKey("approval_types")) {
      JsonArray given =
          field(body, "approval_types", JsonArray.class, "a list of activity types")
              .orElseGet(JsonArray::new);
      types = new ArrayList<>();
      for (Object type : given) {
        if (!(type instanceof String name) || ActivityTypes.find(name).isEmpty()) {
          throw OutpostException.badRequest(
              "unknown activity type '" + type + "' in approval_types");
        }
        types.add(name);
      }
    }
    // null stops the retention; left out keeps it
    Optional<Integer> retention =
        body.containsKey("retention_days")
            ? intField(body, "retention_days", 1, MAX_RETENTION_DAYS)
            : current.retentionDays();
    ClientIntervals intervals = current.intervals();
    intervals =
        new ClientIntervals(
            interval(body, "exchange_interval", intervals.exchange()),
            interval(body, "urgent_exchange_interval", intervals.urgentExchange()),
            interval(body, "ping_interval", intervals.ping()));
    return new AccountSettings(
        types,
        field(body, "fail_stale_results", Boolean.class, "a boolean")
            .orElse(current.failStaleResults()),
        retention,
        field(body, "four_eyes", Boolean.class, "a boolean").orElse(current.fourEyes()),
        intervals);
  }

  /** A client interval in seconds: null unsets it, left out keeps it. */
  private static Optional<Integer> interval(
      JsonObject body, String name, Optional<Integer> current) {
    return body.containsKey(name)
        ? intField(body, name, ClientIntervals.MIN_SECONDS, ClientIntervals.MAX_SECONDS)
        : current;
  }

  static Reapply reapply(JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!REAPPLY_FIELDS.contains(field)) {
        throw OutpostException.badRequest("unknown field '" + field + "'");
      }
    }
    if (body.containsKey("id") == body.containsKey("ids")) {
      throw OutpostException.badRequest("give exactly one of 'id' or 'ids'");
    }
    boolean several = body.containsKey("ids");
    Object id = body.getValue("id");
    if (!several && !(id instanceof Integer || id instanceof Long)) {
      throw OutpostException.badRequest("field 'id' must be the integer id of an activity");
    }
    return new Reapply(
        several ? ids(body, "ids") : List.of(((Number) id).longValue()),
        several,
        field(body, "failed_only", Boolean.class, "a boolean").orElse(false),
        field(body, "parameters", JsonObject.class, "an object").orElseGet(JsonObject::new));
  }

  /**
   * The page a listing asks for: {@code limit}, {@code offset} (at most {@code maxOffset}), {@code
   * before} (keyset), {@code count}, {@code archived}.
   */
  static PageRequest page(RoutingContext ctx, boolean groupsOnly, int maxOffset) {
    return new PageRequest(
        intParam(ctx, "limit", 100, 1, 1000),
        offset(ctx, maxOffset, "before"),
        longParam(ctx, "before", 1, Long.MAX_VALUE),
        boolParam(ctx, "count", true),
        groupsOnly,
        boolParam(ctx, "archived", false));
  }

  /**
   * Rows to skip: the database reads every one of them, so deep pages are walked with the listing's
   * cursor ({@code cursor}) instead.
   */
  static int offset(RoutingContext ctx, int maxOffset, String cursor) {
    int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
    if (offset > maxOffset) {
      throw OutpostException.badRequest(
          "'offset' may be at most "
              + maxOffset
              + " (OUTPOST_MAX_OFFSET), not "
              + offset
              + "; page deeper with '"
              + cursor
              + "' (the 'next' of the page before)");
    }
    return offset;
  }

  /** The ids a cancel or approve names: {@code {"ids": [...]}} or {@code {"query": "..."}}. */
  static Optional<List<Long>> selectionIds(JsonObject body) {
    if (body.containsKey("ids") == body.containsKey("query")) {
      throw OutpostException.badRequest("give exactly one of 'ids' or 'query'");
    }
    return body.containsKey("ids") ? Optional.of(ids(body, "ids")) : Optional.empty();
  }

  /**
   * The page of computers a listing asks for: {@code limit}, {@code offset} (at most {@code
   * maxOffset}), one cursor of {@code after} (by id upwards, the default) or {@code before} (newest
   * first), {@code count}.
   */
  static ComputerPage computerPage(RoutingContext ctx, int maxOffset) {
    Optional<Long> before = longParam(ctx, "before", 1, Long.MAX_VALUE);
    Optional<Long> after = longParam(ctx, "after", 0, Long.MAX_VALUE);
    if (before.isPresent() && after.isPresent()) {
      throw OutpostException.badRequest("give at most one of 'before' and 'after'");
    }
    return new ComputerPage(
        intParam(ctx, "limit", 100, 1, 1000),
        offset(ctx, maxOffset, before.isPresent() ? "before" : "after"),
        before,
        after,
        boolParam(ctx, "count", true));
  }

  /** A computer's changes: {@code {"title": "...", "tags": [...]}}, each optional. */
  record ComputerChanges(Optional<String> title, Optional<List<String>> tags) {}

  static ComputerChanges computerChanges(JsonObject body) {
    known(body, Set.of("title", "tags"));
    if (body.isEmpty()) {
      throw OutpostException.badRequest("give 'title' or 'tags' to change");
    }
    return new ComputerChanges(
        text(body, "title"),
        body.containsKey("tags") ? Optional.of(strings(body, "tags")) : Optional.empty());
  }

  /** Tags changed in bulk: {@code {"query": "...", "add": [...], "remove": [...]}}. */
  record Retag(String query, List<String> add, List<String> remove) {}

  static Retag retag(JsonObject body) {
    known(body, Set.of("query", "add", "remove"));
    return new Retag(
        text(body, "query")
            .orElseThrow(
                () ->
                    OutpostException.badRequest(
                        "missing field 'query' (\"\" selects every computer)")),
        strings(body, "add"),
        strings(body, "remove"));
  }

  static void known(JsonObject body, Set<String> fields) {
    for (String field : body.fieldNames()) {
      if (!fields.contains(field)) {
        throw OutpostException.badRequest("unknown field '" + field + "'");
      }
    }
  }

  /** A list of strings, when the body has one. */
  static Optional<List<String>> strings(JsonObject body, String name, boolean required) {
    if (!body.containsKey(name) || body.getValue(name) == null) {
      if (required) {
        throw OutpostException.badRequest("missing field '" + name + "'");
      }
      return Optional.empty();
    }
    return Optional.of(strings(body, name));
  }

  /** A list of strings; absent is empty. */
  private static List<String> strings(JsonObject body, String name) {
    JsonArray array =
        field(body, name, JsonArray.class, "a list of strings").orElseGet(JsonArray::new);
    List<String> strings = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String text)) {
        throw OutpostException.badRequest("'" + name + "' must hold only strings, not " + item);
      }
      strings.add(text);
    }
    return strings;
  }

  static Optional<String> text(JsonObject body, String name) {
    return field(body, name, String.class, "a string");
  }

  /**
   * A page asked for by key: {@code limit} rows (1 to 1,000; 100 when absent) whose key is below
   * {@code before} (when given).
   */
  record KeyPage(int limit, Optional<Long> before) {}

  /** The {@code limit} and {@code before} of a page of rows keyed by id. */
  static KeyPage keyPage(RoutingContext ctx) {
    return keyPage(ctx, Long.MAX_VALUE);
  }

  /** The {@code limit} and {@code before} of a page of rows keyed up to {@code maxKey}. */
  static KeyPage keyPage(RoutingContext ctx, long maxKey) {
    return new KeyPage(intParam(ctx, "limit", 100, 1, 1000), longParam(ctx, "before", 1, maxKey));
  }

  static int intParam(RoutingContext ctx, String name, int fallback, int min, int max) {
    String raw = ctx.queryParams().get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw.strip());
      if (value < min || value > max) {
        throw OutpostException.badRequest(
            "'" + name + "' must be between " + min + " and " + max + ", not " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      throw OutpostException.badRequest("'" + name + "' must be a whole number, not '" + raw + "'");
    }
  }

  static Optional<Long> longParam(RoutingContext ctx, String name, long min, long max) {
    String raw = ctx.queryParams().get(name);
    if (raw == null || raw.isBlank()) {
      return Optional.empty();
    }
    try {
      long value = Long.parseLong(raw.strip());
      if (value < min || value > max) {
        throw OutpostException.badRequest(
            "'" + name + "' must be between " + min + " and " + max + ", not " + value);
      }
      return Optional.of(value);
    } catch (NumberFormatException e) {
      throw OutpostException.badRequest("'" + name + "' must be a whole number, not '" + raw + "'");
    }
  }

  /**
   * Where an output read starts: the {@code Last-Event-ID} a following client sends when it
   * reconnects, else {@code offset}, else 0.
   */
  static long outputOffset(RoutingContext ctx, boolean follow) {
    String lastEventId = follow ? ctx.request().getHeader("Last-Event-ID") : null;
    if (lastEventId == null || lastEventId.isBlank()) {
      return longParam(ctx, "offset", 0, Integer.MAX_VALUE).orElse(0L);
    }
    try {
      long resumeAt = Long.parseLong(lastEventId.strip());
      if (resumeAt >= 0 && resumeAt <= Integer.MAX_VALUE) {
        return resumeAt;
      }
    } catch (NumberFormatException e) {
      // refused below, as one out of range
    }
    throw OutpostException.badRequest(
        "'Last-Event-ID' must be an offset from 0 to "
            + Integer.MAX_VALUE
            + ", not '"
            + lastEventId
            + "'");
  }

  static boolean boolParam(RoutingContext ctx, String name, boolean fallback) {
    String raw = ctx.queryParams().get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    return switch (raw.strip()) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw OutpostException.badRequest(
              "'" + name + "' must be true or false, not '" + raw + "'");
    };
  }

  static long pathId(RoutingContext ctx, String name) {
    String raw = ctx.pathParam(name);
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw OutpostException.badRequest("'" + raw + "' is not an id");
    }
  }

  private static List<Long> ids(JsonObject body, String name) {
    JsonArray array = field(body, name, JsonArray.class, "a list of ids").orElseGet(JsonArray::new);
    List<Long> ids = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof Integer || item instanceof Long)) {
        throw OutpostException.badRequest("'" + name + "' must hold only integer ids, not " + item);
      }
      ids.add(((Number) item).longValue());
    }
    return ids;
  }

  private static <T> Optional<T> field(
      JsonObject body, String name, Class<T> type, String description) {
    Object value = body.getValue(name);
    if (value == null) {
      return Optional.empty();
    }
    if (!type.isInstance(value)) {
      throw OutpostException.badRequest("field '" + name + "' must be " + description);
    }
    return Optional.of(type.cast(value));
  }

  private static Instant instant(String text) {
    try {
      return java.time.OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw OutpostException.badRequest(
          "'" + text + "' is not an ISO-8601 time with an offset, such as 2030-01-01T00:00:00Z");
    }
  }
}
