package dev.outpost.server.activity;

import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.activity.Status;
import dev.outpost.common.activity.Targets;
import dev.outpost.common.error.OutpostException;
import dev.outpost.server.account.Admin;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;

/** What admins do with activities: create them by the type's rules, cancel and approve them. */
public final class ActivityService {

  private final ActivityStore store;
  private final Clock clock;

  /** Creates the service over the store. */
  public ActivityService(ActivityStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Validates a request against its type and creates it in its start state. */
  public Future<Activity> create(Admin admin, NewActivity request) {
    ActivityType type = ActivityTypes.find(request.type())
        .orElseThrow(() -> OutpostException.badRequest(
            "unknown activity type '" + request.type() + "'"));
    List<String> problems = type.validate(request.parameters());
    if (!problems.isEmpty()) {
      throw OutpostException.badRequest(String.join("; ", problems));
    }
    checkTargets(type, request.computerIds());
    return store.create(admin.accountId(), admin.name(), type, startState(request), request,
        request.summary().orElseGet(() -> defaultSummary(type.name())));
  }

  /** Cancels every named activity the lifecycle lets go to Canceled. */
  public Future<List<TransitionOutcome>> cancel(Admin admin, List<Long> ids) {
    return store.transition(admin.accountId(), ids, Status.CANCELED, admin.name(), "canceled");
  }

  /** Approves every named Blocked activity, moving it to Queued. */
  public Future<List<TransitionOutcome>> approve(Admin admin, List<Long> ids) {
    return store.transition(admin.accountId(), ids, Status.QUEUED, admin.name(), "approved");
  }

  private Status startState(NewActivity request) {
    if (request.requiresApproval()) {
      return Status.BLOCKED;
    }
    boolean later = request.deliverAfter().map(t -> t.isAfter(clock.instant())).orElse(false);
    return later ? Status.SCHEDULED : Status.QUEUED;
  }

  private static void checkTargets(ActivityType type, List<Long> computerIds) {
    if (type.targets() == Targets.COMPUTERS && computerIds.isEmpty()) {
      throw OutpostException.badRequest("computer_ids is required for " + type.name());
    }
    if (type.targets() == Targets.NONE && !computerIds.isEmpty()) {
      throw OutpostException.badRequest(type.name() + " runs on the server and takes no computer_ids");
    }
  }

  /** "ExecuteScriptRequest" reads as "Execute script". */
  static String defaultSummary(String typeName) {
    String words = typeName.replaceAll("(Request|Activity)$", "")
        .replaceAll("(?<=[a-z])(?=[A-Z])", " ")
        .toLowerCase(java.util.Locale.ROOT);
    return Character.toUpperCase(words.charAt(0)) + words.substring(1);
  }
}
