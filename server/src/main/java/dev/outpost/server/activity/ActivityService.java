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

/**
 * What admins do with activities: create them by the type's rules, cancel, approve and reapply
 * them.
 */
public final class ActivityService {

  private final ActivityStore store;
  private final ReapplyStore reapplies;
  private final Clock clock;

  /** Creates the service over the store. */
  public ActivityService(ActivityStore store, Clock clock) {
    this.store = store;
    this.reapplies = new ReapplyStore(store.pool(), clock);
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

  /**
   * Creates a new activity (or group) that redoes one of the account's: same type, parameters
   * and summary, for the same computers, Queued. With {@code failedOnly}, only where it failed:
   * a group's failed children, or the activity itself if it failed; a 400 when nothing failed.
   */
  public Future<Activity> reapply(Admin admin, long id, boolean failedOnly) {
    return store.find(admin.accountId(), id)
        .map(original -> reapplication(original, failedOnly))
        .compose(plan -> reapplies.create(admin.accountId(), admin.name(), plan))
        .compose(created -> store.find(admin.accountId(), created));
  }

  private static ReapplyStore.Reapplication reapplication(Activity original, boolean failedOnly) {
    List<Activity> redone = (original.isGroup() ? original.children() : List.of(original))
        .stream()
        .filter(a -> !failedOnly || a.status() == Status.FAILED)
        .toList();
    if (redone.isEmpty()) {
      throw OutpostException.badRequest(failedOnly
          ? "activity " + original.id() + " has nothing failed to reapply"
          : "activity " + original.id() + " has no children to reapply");
    }
    // A group's children all share the type the group was requested with.
    ActivityType type = ActivityTypes.find(redone.get(0).type())
        .orElseThrow(() -> OutpostException.conflict(
            "activity type '" + redone.get(0).type() + "' is no longer known"));
    List<String> problems = type.validate(original.parameters());
    if (!problems.isEmpty()) {
      throw OutpostException.conflict("activity " + original.id() + " cannot be reapplied: "
          + String.join("; ", problems));
    }
    return new ReapplyStore.Reapplication(type, original.summary(), original.parameters(),
        original.id(), redone.stream()
            .map(a -> new ReapplyStore.Target(a.computerId(), a.id()))
            .toList());
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
