package dev.outpost.server.api;

import dev.outpost.common.activity.Kind;
import dev.outpost.common.activity.Status;
import dev.outpost.server.account.AccountSettings;
import dev.outpost.server.activity.Activity;
import dev.outpost.server.activity.ActivityEvent;
import dev.outpost.server.activity.TransitionOutcome;
import dev.outpost.server.computer.Computer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** How the admin API shows its resources. Times are ISO-8601 UTC. */
final class Json {

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

  JsonObject activity(Activity a) {
    JsonObject json = new JsonObject()
        .put("id", a.id())
        .put("type", a.type())
        .put("status", a.status().wireName())
        .put("kind", a.kind().wireName())
        .put("parent_id", a.parentId().orElse(null))
        .put("computer_id", a.computerId().orElse(null))
        .put("summary", a.summary())
        .put("parameters", a.parameters())
        .put("creator", a.creator())
        .put("created_at", time(a.createdAt()))
        .put("deliver_after", time(a.deliverAfter()))
        .put("delivered_at", time(a.deliveredAt()))
        .put("completed_at", time(a.completedAt()))
        .put("result_code", a.resultCode().orElse(null))
        .put("result_text", a.resultText().orElse(null))
        .put("progress", a.progress().orElse(null))
        .put("stale", stale(a))
        .put("attempt", a.conditions().attempt())
        .put("deliver_before", time(a.conditions().deliverBefore()))
        .put("depends_on", a.conditions().dependsOn().orElse(null))
        .put("progress_threshold", a.conditions().progressThreshold().orElse(null))
        .put("on_dependency_failure", a.conditions().dependsOn().isEmpty() ? null
            : a.conditions().runOnDependencyFailure() ? "run" : "cancel")
        .put("execution_timeout", a.conditions().timeoutSeconds().orElse(null))
        .put("max_concurrency", a.conditions().maxConcurrency().orElse(null))
        .put("max_errors", a.conditions().maxErrors().orElse(null))
        .put("reapplied_from", a.reappliedFrom().orElse(null));
    if (a.isGroup()) {
      JsonObject byStatus = new JsonObject();
      a.childrenByStatus().forEach((status, n) -> byStatus.put(status.wireName(), n));
      json.put("children_by_status", byStatus);
      json.put("children", new JsonArray(a.children().stream().map(this::activity).toList()));
    }
    return json;
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
