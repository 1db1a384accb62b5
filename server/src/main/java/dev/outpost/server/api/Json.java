package dev.outpost.server.api;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.activity.Kind;
import dev.outpost.common.activity.Param;
import dev.outpost.common.activity.ParamType;
import dev.outpost.common.activity.SecretParameters;
import dev.outpost.common.activity.Status;
import dev.outpost.common.activity.Targets;
import dev.outpost.server.account.AccountSettings;
import dev.outpost.server.activity.Activity;
import dev.outpost.server.activity.ActivityEvent;
import dev.outpost.server.activity.Page;
import dev.outpost.server.activity.PageRequest;
import dev.outpost.server.activity.TransitionOutcome;
import dev.outpost.server.computer.Computer;
import dev.outpost.server.computer.ComputerInventory;
import dev.outpost.server.computer.ComputerPage;
import dev.outpost.server.computer.QuarantinedMessage;
import dev.outpost.server.script.Profile;
import dev.outpost.server.script.Script;
import dev.outpost.server.script.ScriptAttachment;
import dev.outpost.server.script.ScriptVersion;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

/** How the admin API shows its resources. Times are ISO-8601 UTC. */
final class Json {

  private static final JsonFactory FACTORY = new JsonFactory();

  /** About what one activity takes in JSON, parameters and all, so pages seldom grow twice. */
  private static final int BYTES_PER_ACTIVITY = 1024;

  /**
   * The names of a page's and an activity's fields, encoded once: the generator copies their bytes
   * rather than encoding every name again for each activity of a page.
   */
  private enum Key {
    COUNT,
    COUNT_CAPPED,
    LIMIT,
    OFFSET,
    BEFORE,
    NEXT,
    RESULTS,
    ID,
    TYPE,
    STATUS,
    KIND,
    PARENT_ID,
    COMPUTER_ID,
    SUMMARY,
    PARAMETERS,
    CREATOR,
    CREATED_AT,
    DELIVER_AFTER,
    DELIVERED_AT,
    COMPLETED_AT,
    RESULT_CODE,
    RESULT_TEXT,
    PROGRESS,
    STALE,
    ATTEMPT,
    DELIVER_BEFORE,
    DEPENDS_ON,
    PROGRESS_THRESHOLD,
    ON_DEPENDENCY_FAILURE,
    EXECUTION_TIMEOUT,
    MAX_CONCURRENCY,
    MAX_ERRORS,
    REAPPLIED_FROM,
    QUERY,
    ALL_COMPUTERS,
    CHILDREN_BY_STATUS,
    CHILDREN;

    private final SerializableString json = new SerializedString(name().toLowerCase(Locale.ROOT));
  }

  private final Clock clock;
  private final Duration resultDeadline;

  Json(Clock clock, Duration resultDeadline) {
    this.clock = clock;
    this.resultDeadline = resultDeadline;
  }

  /** Whether a delivered client activity has gone past the result deadline without a result. */
  private boolean stale(Activity a) {
    return a.kind() == Kind.CLIENT
        && a.status() == Status.IN_PROGRESS
        && a.deliveredAt().map(d -> !d.plus(resultDeadline).isAfter(clock.instant())).orElse(false);
  }

  static JsonObject settings(AccountSettings s) {
    return new JsonObject()
        .put("approval_types", new JsonArray(s.approvalTypes()))
        .put("fail_stale_results", s.failStaleResults())
        .put("retention_days", s.retentionDays().orElse(null))
        .put("four_eyes", s.fourEyes())
        .put("exchange_interval", s.intervals().exchange().orElse(null))
        .put("urgent_exchange_interval", s.intervals().urgentExchange().orElse(null))
        .put("ping_interval", s.intervals().ping().orElse(null));
  }

  /** An activity, as {@code GET /activities/{id}} shows it, in UTF-8 JSON. */
  Buffer activity(Activity a) {
    return write(1 + a.children().size(), g -> activity(g, a, false));
  }

  /** Several activities, {@code {"results": [...]}}, each as {@code GET /activities/{id}}. */
  Buffer activities(List<Activity> list) {
    return write(
        list.stream().mapToInt(a -> 1 + a.children().size()).sum(),
        g -> {
          g.writeStartObject();
          g.writeFieldName(Key.RESULTS.json);
          g.writeStartArray();
          for (Activity a : list) {
            activity(g, a, false);
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /**
   * Every activity type, {@code {"results": [{"name", "kind", "message_type", "targets",
   * "parameters": [{"name", "type", "required", "secret", "allowed"}]}]}}, in the registry's order.
   */
  static JsonObject activityTypes() {
    JsonArray types = new JsonArray();
    for (ActivityType type : ActivityTypes.all()) {
      JsonArray parameters = new JsonArray();
      for (Param param : type.params()) {
        parameters.add(
            new JsonObject()
                .put("name", param.name())
                .put("type", typeName(param.type()))
                .put("required", param.required())
                .put("secret", param.isSecret())
                .put("allowed", param.allowed().isEmpty() ? null : new JsonArray(param.allowed())));
      }
      types.add(
          new JsonObject()
              .put("name", type.name())
              .put("kind", type.kind().wireName())
              .put("message_type", type.messageType().orElse(null))
              .put("targets", type.targets() == Targets.COMPUTERS ? "computers" : "none")
              .put("parameters", parameters));
    }
    return new JsonObject().put("results", types);
  }

  /** A parameter's JSON shape; a secret is a string the API never shows. */
  private static String typeName(ParamType type) {
    return switch (type) {
      case STRING, SECRET -> "string";
      case INT -> "integer";
      case BOOL -> "boolean";
      case STRING_LIST -> "string_list";
      case INT_LIST -> "integer_list";
      case OBJECT -> "object";
      case OBJECT_LIST -> "object_list";
    };
  }

  /**
   * A page of a listing: {@code {"count", "count_capped", "limit", "offset", "before", "next",
   * "results"}}. Written straight to bytes, with no tree of objects in between: a page of a
   * thousand activities stays cheap on the event loop.
   */
  Buffer page(PageRequest request, Page<Activity> found) {
    return write(
        found.results().size(),
        g -> {
          g.writeStartObject();
          writeNumber(g, Key.COUNT, found.count());
          g.writeFieldName(Key.COUNT_CAPPED.json);
          if (found.count().isPresent()) {
            g.writeBoolean(found.countCapped());
          } else {
            g.writeNull();
          }
          writeNumber(g, Key.LIMIT, request.limit());
          writeNumber(g, Key.OFFSET, request.offset());
          writeNumber(g, Key.BEFORE, request.before());
          writeNumber(g, Key.NEXT, found.next());
          g.writeFieldName(Key.RESULTS.json);
          g.writeStartArray();
          for (Activity a : found.results()) {
            activity(g, a, false);
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /**
   * One activity; a group's child without {@code parameters}, which are the group's: a thousand
   * copies of a script would make the answer a thousand times its size.
   */
  private void activity(JsonGenerator g, Activity a, boolean asChild) throws IOException {
    g.writeStartObject();
    writeNumber(g, Key.ID, a.id());
    writeString(g, Key.TYPE, a.type());
    writeString(g, Key.STATUS, a.status().wireName());
    writeString(g, Key.KIND, a.kind().wireName());
    writeNumber(g, Key.PARENT_ID, a.parentId());
    writeNumber(g, Key.COMPUTER_ID, a.computerId());
    writeString(g, Key.SUMMARY, a.summary());
    if (!asChild) {
      g.writeFieldName(Key.PARAMETERS.json);
      JacksonCodec.encodeJson(SecretParameters.redacted(a.parameters()), g);
    }
    writeString(g, Key.CREATOR, a.creator());
    writeTime(g, Key.CREATED_AT, Optional.of(a.createdAt()));
    writeTime(g, Key.DELIVER_AFTER, a.deliverAfter());
    writeTime(g, Key.DELIVERED_AT, a.deliveredAt());
    writeTime(g, Key.COMPLETED_AT, a.completedAt());
    writeNumber(g, Key.RESULT_CODE, a.resultCode());
    writeString(g, Key.RESULT_TEXT, a.resultText().orElse(null));
    writeNumber(g, Key.PROGRESS, a.progress());
    writeBoolean(g, Key.STALE, stale(a));
    writeNumber(g, Key.ATTEMPT, a.conditions().attempt());
    writeTime(g, Key.DELIVER_BEFORE, a.conditions().deliverBefore());
    writeNumber(g, Key.DEPENDS_ON, a.conditions().dependsOn());
    writeNumber(g, Key.PROGRESS_THRESHOLD, a.conditions().progressThreshold());
    writeString(
        g,
        Key.ON_DEPENDENCY_FAILURE,
        a.conditions().dependsOn().isEmpty()
            ? null
            : a.conditions().runOnDependencyFailure() ? "run" : "cancel");
    writeNumber(g, Key.EXECUTION_TIMEOUT, a.conditions().timeoutSeconds());
    writeNumber(g, Key.MAX_CONCURRENCY, a.conditions().maxConcurrency());
    writeNumber(g, Key.MAX_ERRORS, a.conditions().maxErrors());
    writeNumber(g, Key.REAPPLIED_FROM, a.reappliedFrom());
    // all_computers is kept as the query that selects every computer, the empty one
    Optional<String> query = a.conditions().targetQuery();
    writeString(g, Key.QUERY, query.filter(text -> !text.isEmpty()).orElse(null));
    writeBoolean(g, Key.ALL_COMPUTERS, query.map(String::isEmpty).orElse(false));
    if (a.isGroup()) {
      g.writeFieldName(Key.CHILDREN_BY_STATUS.json);
      g.writeStartObject();
      for (var counted : a.childrenByStatus().entrySet()) {
        g.writeNumberField(counted.getKey().wireName(), counted.getValue());
      }
      g.writeEndObject();
      g.writeFieldName(Key.CHILDREN.json);
      g.writeStartArray();
      for (Activity child : a.children()) {
        activity(g, child, true);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private static void writeString(JsonGenerator g, Key key, String value) throws IOException {
    g.writeFieldName(key.json);
    g.writeString(value);
  }

  private static void writeBoolean(JsonGenerator g, Key key, boolean value) throws IOException {
    g.writeFieldName(key.json);
    g.writeBoolean(value);
  }

  private static void writeNumber(JsonGenerator g, Key key, long value) throws IOException {
    g.writeFieldName(key.json);
    g.writeNumber(value);
  }

  private static void writeNumber(JsonGenerator g, Key key, Optional<? extends Number> value)
      throws IOException {
    g.writeFieldName(key.json);
    if (value.isEmpty()) {
      g.writeNull();
    } else if (value.get() instanceof Long n) {
      g.writeNumber(n);
    } else {
      g.writeNumber(value.get().intValue());
    }
  }

  private static void writeTime(JsonGenerator g, Key key, Optional<Instant> value)
      throws IOException {
    g.writeFieldName(key.json);
    if (value.isEmpty()) {
      g.writeNull();
      return;
    }
    char[] text = TIME_TEXT.get();
    int length = isoTime(value.get(), text);
    if (length < 0) {
      g.writeString(value.get().toString());
    } else {
      g.writeString(text, 0, length);
    }
  }

  /** The longest time {@link #isoTime} writes: {@code 2030-01-31T12:00:00.123456789Z}. */
  static final int MAX_TIME_CHARS = 30;

  /** Each thread's scratch for a time: the generator copies the characters it is given. */
  private static final ThreadLocal<char[]> TIME_TEXT =
      ThreadLocal.withInitial(() -> new char[MAX_TIME_CHARS]);

  /**
   * Writes {@code instant} into {@code text} exactly as {@link Instant#toString()} would (UTC,
   * seconds always, the fraction in groups of three digits when there is one) and returns its
   * length; or -1 for a year outside 1000-9999, which that method alone writes right. The formatter
   * behind {@code toString} makes a dozen objects a time, five times an activity.
   */
  static int isoTime(Instant instant, char[] text) {
    long seconds = instant.getEpochSecond();
    long days = Math.floorDiv(seconds, 86_400);
    int secondOfDay = (int) Math.floorMod(seconds, 86_400);
    // the civil date of a day count: 400-year eras of 146,097 days, years counted from March
    // so that the leap day falls last
    long shifted = days + 719_468;
    long era = Math.floorDiv(shifted, 146_097);
    long dayOfEra = shifted - era * 146_097;
    long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
    long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    long shiftedMonth = (5 * dayOfYear + 2) / 153;
    int day = (int) (dayOfYear - (153 * shiftedMonth + 2) / 5 + 1);
    int month = (int) (shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9);
    long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    if (year < 1000 || year > 9999) {
      return -1;
    }
    int at = digits(text, 0, year, 4);
    text[at++] = '-';
    at = digits(text, at, month, 2);
    text[at++] = '-';
    at = digits(text, at, day, 2);
    text[at++] = 'T';
    at = digits(text, at, secondOfDay / 3600, 2);
    text[at++] = ':';
    at = digits(text, at, secondOfDay / 60 % 60, 2);
    text[at++] = ':';
    at = digits(text, at, secondOfDay % 60, 2);
    int nanos = instant.getNano();
    if (nanos > 0) {
      text[at++] = '.';
      if (nanos % 1_000_000 == 0) {
        at = digits(text, at, nanos / 1_000_000, 3);
      } else if (nanos % 1000 == 0) {
        at = digits(text, at, nanos / 1000, 6);
      } else {
        at = digits(text, at, nanos, 9);
      }
    }
    text[at++] = 'Z';
    return at;
  }

  private static int digits(char[] text, int at, long value, int width) {
    for (int i = width - 1; i >= 0; i--) {
      text[at + i] = (char) ('0' + value % 10);
      value /= 10;
    }
    return at + width;
  }

  /** What writes one JSON value to a generator. */
  private interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  /**
   * Writes JSON of about {@code activities} activities straight into the buffer the response sends:
   * sized for them up front, never copied.
   */
  private static Buffer write(int activities, Writer writer) {
    Buffer buffer = Buffer.buffer(BYTES_PER_ACTIVITY * Math.max(1, activities));
    OutputStream out =
        new OutputStream() {
          @Override
          public void write(int b) {
            buffer.appendByte((byte) b);
          }

          @Override
          public void write(byte[] bytes, int offset, int length) {
            buffer.appendBytes(bytes, offset, length);
          }
        };
    try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      writer.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON", e);
    }
    return buffer;
  }

  /**
   * {@code {"results", "next"}} of a page by key read one row longer than {@code limit}: the rows
   * beyond the limit are not shown, and their being there makes {@code next} the key of the last
   * row shown, to pass as {@code before}.
   */
  static <T> JsonObject keyPage(
      List<T> found, int limit, Function<T, JsonObject> show, ToLongFunction<T> key) {
    List<T> page = found.subList(0, Math.min(limit, found.size()));
    return new JsonObject()
        .put("results", new JsonArray(page.stream().map(show).toList()))
        .put("next", found.size() > limit ? key.applyAsLong(page.get(page.size() - 1)) : null);
  }

  static JsonObject event(ActivityEvent e) {
    return new JsonObject()
        .put("id", e.id())
        .put("from", e.from().map(Object::toString).orElse(null))
        .put("to", e.to().wireName())
        .put("at", time(e.at()))
        .put("actor", e.actor())
        .put("reason", e.reason().orElse(null));
  }

  /**
   * A page of computers: {@code {"count", "count_capped", "limit", "offset", "before", "after",
   * "next", "results"}}, {@code next} the cursor of the following page in the page's direction.
   */
  static JsonObject computers(
      ComputerPage request, Page<Computer> found, java.util.function.LongPredicate channelHeld) {
    return new JsonObject()
        .put("count", found.count().orElse(null))
        .put("count_capped", found.count().isPresent() ? found.countCapped() : null)
        .put("limit", request.limit())
        .put("offset", request.offset())
        .put("before", request.before().orElse(null))
        .put("after", request.after().orElse(null))
        .put("next", found.next().orElse(null))
        .put(
            "results",
            new JsonArray(found.results().stream().map(c -> computer(c, channelHeld)).toList()));
  }

  /**
   * A computer; {@code channel_connected} says whether its agent's channel is open to this server
   * ({@code channelHeld}): channels are held in memory by the server the agent connected to.
   */
  static JsonObject computer(Computer c, java.util.function.LongPredicate channelHeld) {
    return new JsonObject()
        .put("id", c.id())
        .put("title", c.title())
        .put("hostname", c.hostname().orElse(null))
        .put("tags", new JsonArray(c.tags()))
        .put("registered_at", time(c.registeredAt()))
        .put("last_exchange_at", time(c.lastExchangeAt()))
        .put("pending_messages", c.pendingMessages())
        .put("channel_connected", channelHeld.test(c.id()));
  }

  /**
   * A computer with what its client reported of it: {@code distribution} and {@code hardware}, each
   * null until the client reported it.
   */
  static JsonObject computerInventory(
      Computer c,
      java.util.function.LongPredicate channelHeld,
      Map<String, ComputerInventory.Report> reports) {
    return computer(c, channelHeld)
        .put("distribution", distribution(reports.get("distribution-info")))
        .put("hardware", hardware(reports));
  }

  private static JsonObject distribution(ComputerInventory.Report report) {
    if (report == null) {
      return null;
    }
    JsonObject body = report.body();
    return new JsonObject()
        .put("distributor_id", body.getString("distributor-id"))
        .put("description", body.getString("description"))
        .put("release", body.getString("release"))
        .put("code_name", body.getString("code-name"))
        .put("reported_at", time(report.receivedAt()));
  }

  private static JsonObject hardware(Map<String, ComputerInventory.Report> reports) {
    ComputerInventory.Report info = reports.get("computer-info");
    ComputerInventory.Report cpus = reports.get("processor-info");
    ComputerInventory.Report network = reports.get("network-device");
    if (info == null && cpus == null && network == null) {
      return null;
    }
    JsonObject body = info == null ? new JsonObject() : info.body();
    JsonArray processors = ComputerInventory.list(cpus, "processors");
    JsonObject first = processors.isEmpty() ? new JsonObject() : processors.getJsonObject(0);
    JsonArray devices = new JsonArray();
    ComputerInventory.list(network, "devices")
        .forEach(
            d -> {
              JsonObject device = (JsonObject) d;
              devices.add(
                  new JsonObject()
                      .put("interface", device.getString("interface"))
                      .put("ip_address", device.getString("ip_address"))
                      .put("mac_address", device.getString("mac_address"))
                      .put("netmask", device.getString("netmask"))
                      .put("speed", device.getLong("speed"))
                      .put("duplex", device.getBoolean("duplex")));
            });
    Instant reportedAt =
        Stream.of(info, cpus, network)
            .filter(Objects::nonNull)
            .map(ComputerInventory.Report::receivedAt)
            .max(Instant::compareTo)
            .orElseThrow();
    return new JsonObject()
        .put("hostname", body.getString("hostname"))
        .put("machine_id", body.getString("machine-id"))
        .put("memory_mb", body.getLong("total-memory"))
        .put("swap_mb", body.getLong("total-swap"))
        .put("cpu_count", cpus == null ? null : processors.size())
        .put("cpu_model", first.getString("model"))
        .put("cpu_vendor", first.getString("vendor"))
        .put("network_devices", devices)
        .put("reported_at", time(reportedAt));
  }

  /** A computer's users (each with the groups it is a member of) and groups. */
  static JsonObject users(ComputerInventory.Users found) {
    JsonArray users = new JsonArray();
    for (ComputerInventory.User user : found.users()) {
      JsonObject body = user.body();
      users.add(
          new JsonObject()
              .put("username", body.getString("username"))
              .put("uid", body.getLong("uid"))
              .put("name", body.getString("name"))
              .put("enabled", body.getBoolean("enabled"))
              .put("location", body.getString("location"))
              .put("work_phone", body.getString("work-phone"))
              .put("home_phone", body.getString("home-phone"))
              .put("primary_gid", body.getLong("primary-gid"))
              .put("groups", new JsonArray(user.groups())));
    }
    JsonArray groups = new JsonArray();
    for (ComputerInventory.Group group : found.groups()) {
      groups.add(
          new JsonObject()
              .put("name", group.name())
              .put("gid", group.gid())
              .put("members", new JsonArray(group.members())));
    }
    return new JsonObject()
        .put("users", users)
        .put("groups", groups)
        .put("reported_at", time(found.reportedAt()));
  }

  static JsonObject quarantined(QuarantinedMessage q) {
    return new JsonObject()
        .put("id", q.id())
        .put("received_at", time(q.receivedAt()))
        .put("type", q.type())
        .put("reason", q.reason())
        .put("message", q.message())
        .put("size", q.size())
        .put("truncated", q.message().length() < q.size());
  }

  /**
   * {@code {"applied": [ids], "refused": [{"id", "reason"}]}}: which moved and why the others did
   * not.
   */
  static JsonObject outcomes(List<TransitionOutcome> outcomes) {
    JsonArray applied = new JsonArray();
    JsonArray refused = new JsonArray();
    for (TransitionOutcome outcome : outcomes) {
      if (outcome.applied()) {
        applied.add(outcome.id());
      } else {
        refused.add(new JsonObject().put("id", outcome.id()).put("reason", outcome.refusal()));
      }
    }
    return new JsonObject().put("applied", applied).put("refused", refused);
  }

  // ---- saved scripts and profiles

  static JsonObject script(Script s, boolean withCode) {
    JsonObject shown =
        new JsonObject()
            .put("id", s.id())
            .put("title", s.title())
            .put("version", s.version())
            .put("interpreter", s.interpreter())
            .put("username", s.username().orElse(null))
            .put("time_limit", s.timeLimit().orElse(null))
            .put("creator", s.creator())
            .put("created_at", s.createdAt().toString())
            .put("archived", s.archivedAt().isPresent())
            .put("archived_at", time(s.archivedAt()));
    return withCode ? shown.put("code", s.code()) : shown;
  }

  static JsonObject scriptVersion(ScriptVersion v) {
    return new JsonObject()
        .put("number", v.number())
        .put("code", v.code())
        .put("interpreter", v.interpreter())
        .put("creator", v.creator())
        .put("created_at", v.createdAt().toString());
  }

  static JsonObject scriptAttachment(ScriptAttachment a) {
    return new JsonObject()
        .put("id", a.id())
        .put("filename", a.name())
        .put("size", a.size())
        .put("creator", a.creator())
        .put("created_at", a.createdAt().toString());
  }

  static JsonObject profile(Profile p) {
    return new JsonObject()
        .put("id", p.id())
        .put("title", p.title())
        .put("script_id", p.scriptId())
        .put("all_computers", p.targets().allComputers())
        .put("tags", new JsonArray(p.targets().tags()))
        .put("query", p.targets().query().orElse(null))
        .put("username", p.username().orElse(null))
        .put("time_limit", p.timeLimit().orElse(null))
        .put("trigger", p.trigger().json())
        .put("next_fire_at", time(p.nextFireAt()))
        .put("last_fired_at", time(p.lastFiredAt()))
        .put("creator", p.creator())
        .put("created_at", p.createdAt().toString())
        .put("archived", p.archivedAt().isPresent())
        .put("archived_at", time(p.archivedAt()));
  }

  private static String time(Instant instant) {
    return instant.toString();
  }

  private static String time(Optional<Instant> instant) {
    return instant.map(Instant::toString).orElse(null);
  }
}
