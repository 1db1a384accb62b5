package dev.outpost.server.api;

import dev.outpost.common.activity.Kind;
import dev.outpost.common.activity.Status;
import dev.outpost.server.account.AccountSettings;
import dev.outpost.server.activity.Activity;
import dev.outpost.server.activity.ActivityEvent;
import dev.outpost.server.activity.TransitionOutcome;
import dev.outpost.server.computer.Computer;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.outpost.server.activity.Page;
import dev.outpost.server.activity.PageRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** How the admin API shows its resources. Times are ISO-8601 UTC. */
final class Json {

  private static final JsonFactory FACTORY = new JsonFactory();

  private final Clock clock;
  private final Duration resultDeadline;

  Json(Clock clock, Duration resultDeadline) {
    this.clock = clock;
    this.resultDeadline = resultDeadline;
  }

  /** Whether a delivered client activity has gone past the result deadline without a result. */
  private boolean stale(Activity a) {
    return a.kind() == Kind.CLIENT && a.status() == Status.IN_PROGRESS
        && a.deliveredAt().map(d -> !d.plus(resultDeadline).isAfter(clock.instant())).orElse(false);
  }

  static JsonObject settings(AccountSettings s) {
    return new JsonObject()
        .put("approval_types", new JsonArray(s.approvalTypes()))
        .put("fail_stale_results", s.failStaleResults());
  }

  /** An activity, as {@code GET /activities/{id}} shows it, in UTF-8 JSON. */
  Buffer activity(Activity a) {
    return write(g -> activity(g, a));
  }

  /**
   * A page of a listing: {@code {"count", "count_capped", "limit", "offset", "before", "next",
   * "results"}}. Written straight to bytes, with no tree of objects in between: a page of a
   * thousand activities stays cheap on the event loop.
   */
  Buffer page(PageRequest request, Page<Activity> found) {
    return write(g -> {
      g.writeStartObject();
      writeNumber(g, "count", found.count());
      g.writeFieldName("count_capped");
      if (found.count().isPresent()) {
        g.writeBoolean(found.countCapped());
      } else {
        g.writeNull();
      }
      g.writeNumberField("limit", request.limit());
      g.writeNumberField("offset", request.offset());
      writeNumber(g, "before", request.before());
      writeNumber(g, "next", found.next());
      g.writeArrayFieldStart("results");
      for (Activity a : found.results()) {
        activity(g, a);
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  private void activity(JsonGenerator g, Activity a) throws IOException {
    g.writeStartObject();
    g.writeNumberField("id", a.id());
    g.writeStringField("type", a.type());
    g.writeStringField("status", a.status().wireName());
    g.writeStringField("kind", a.kind().wireName());
    writeNumber(g, "parent_id", a.parentId());
    writeNumber(g, "computer_id", a.computerId());
    g.writeStringField("summary", a.summary());
    g.writeFieldName("parameters");
    JacksonCodec.encodeJson(a.parameters(), g);
    g.writeStringField("creator", a.creator());
    g.writeStringField("created_at", time(a.createdAt()));
    g.writeStringField("deliver_after", time(a.deliverAfter()));
    g.writeStringField("delivered_at", time(a.deliveredAt()));
    g.writeStringField("completed_at", time(a.completedAt()));
    writeNumber(g, "result_code", a.resultCode());
    g.writeStringField("result_text", a.resultText().orElse(null));
    writeNumber(g, "progress", a.progress());
    g.writeBooleanField("stale", stale(a));
    g.writeNumberField("attempt", a.conditions().attempt());
    g.writeStringField("deliver_before", time(a.conditions().deliverBefore()));
    writeNumber(g, "depends_on", a.conditions().dependsOn());
    writeNumber(g, "progress_threshold", a.conditions().progressThreshold());
    g.writeStringField("on_dependency_failure", a.conditions().dependsOn().isEmpty() ? null
        : a.conditions().runOnDependencyFailure() ? "run" : "cancel");
    writeNumber(g, "execution_timeout", a.conditions().timeoutSeconds());
    writeNumber(g, "max_concurrency", a.conditions().maxConcurrency());
    writeNumber(g, "max_errors", a.conditions().maxErrors());
    writeNumber(g, "reapplied_from", a.reappliedFrom());
    if (a.isGroup()) {
      g.writeObjectFieldStart("children_by_status");
      for (var counted : a.childrenByStatus().entrySet()) {
        g.writeNumberField(counted.getKey().wireName(), counted.getValue());
      }
      g.writeEndObject();
      g.writeArrayFieldStart("children");
      for (Activity child : a.children()) {
        activity(g, child);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private static void writeNumber(JsonGenerator g, String name, Optional<? extends Number> value)
      throws IOException {
    g.writeFieldName(name);
    if (value.isEmpty()) {
      g.writeNull();
    } else if (value.get() instanceof Long n) {
      g.writeNumber(n);
    } else {
      g.writeNumber(value.get().intValue());
    }
  }

  /** What writes one JSON value to a generator. */
  private interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  private static Buffer write(Writer writer) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
    try (JsonGenerator g = FACTORY.createGenerator(bytes, JsonEncoding.UTF8)) {
      writer.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON", e);
    }
    return Buffer.buffer(bytes.toByteArray());
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

  static JsonObject computer(Computer c) {
    return new JsonObject()
        .put("id", c.id())
        .put("title", c.title())
        .put("hostname", c.hostname().orElse(null))
        .put("tags", new JsonArray(c.tags()))
        .put("registered_at", time(c.registeredAt()))
        .put("last_exchange_at", time(c.lastExchangeAt()))
        .put("pending_messages", c.pendingMessages());
  }

  /** {@code {"applied": [ids], "refused": [{"id", "reason"}]}}: which moved and why the others did not. */
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

  private static String time(Instant instant) {
    return instant.toString();
  }

  private static String time(Optional<Instant> instant) {
    return instant.map(Instant::toString).orElse(null);
  }
}
