package dev.outpost.server.activity;

import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.activity.Param;
import dev.outpost.common.activity.SecretParameters;
import dev.outpost.common.activity.Status;
import dev.outpost.common.activity.Targets;
import dev.outpost.common.error.OutpostException;
import dev.outpost.server.ServerConfig;
import dev.outpost.server.account.AccountSettings;
import dev.outpost.server.account.AccountStore;
import dev.outpost.server.account.Admin;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.packages.PackageChoices;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What admins do with activities: create them by the type's rules, cancel, approve and reapply
 * them.
 */
public final class ActivityService {

  /**
   * The longest summary: every child of a group keeps a copy, so a summary is bounded like the
   * parameters are.
   */
  static final int MAX_SUMMARY_CHARS = 1_000;

  /** The most activities one reapply names. */
  public static final int MAX_REAPPLY = 100;

  /** The repeated computer ids a refusal names at most. */
  private static final int NAMED_REPEATS = 20;

  private final ActivityStore store;
  private final AccountStore accounts;
  private final ActivityInserts inserts;
  private final Clock clock;
  private final ServerMetrics metrics;
  private final ServerConfig.Limits limits;
  private final TargetQueries targetQueries;

  /**
   * Creates the service over the stores, counting what it creates and refusing requests past the
   * limits; requests by query target the computers {@code targetQueries} selects.
   */
  public ActivityService(
      ActivityStore store,
      AccountStore accounts,
      Clock clock,
      ServerMetrics metrics,
      ServerConfig.Limits limits,
      TargetQueries targetQueries) {
    this.targetQueries = targetQueries;
    this.metrics = metrics;
    this.limits = limits;
    this.store = store;
    this.accounts = accounts;
    this.inserts = new ActivityInserts(store.pool(), clock);
    this.clock = clock;
  }

  /**
   * Validates a request against its type and creates it in its start state; a request by query has
   * its computers chosen in the transaction that creates its activities.
   */
  public Future<Activity> create(Admin admin, NewActivity request) {
    ActivityType type =
        ActivityTypes.find(request.type())
            .orElseThrow(
                () ->
                    OutpostException.badRequest("unknown activity type '" + request.type() + "'"));
    checkSizes(request);
    List<String> problems = type.validate(request.parameters());
    if (!problems.isEmpty()) {
      throw OutpostException.badRequest(String.join("; ", problems));
    }
    checkTargets(type, request);
    checkTiming(type, request);
    Future<Void> dependency =
        request
            .dependency()
            .map(d -> store.find(admin.accountId(), d.activityId(), 0).<Void>mapEmpty())
            .orElseGet(Future::succeededFuture);
    return dependency
        .compose(ok -> accounts.settings(admin.accountId()))
        .compose(
            settings ->
                store
                    .pool()
                    .withTransaction(
                        conn ->
                            chosen(conn, admin, request)
                                .compose(chosen -> packagesKnown(conn, admin, type, chosen))
                                .compose(
                                    chosen ->
                                        insert(conn, admin, type, settings, chosen)
                                            .map(id -> new Created(id, chosen.computerIds())))))
        .onSuccess(
            created ->
                metrics
                    .activitiesCreated(type.kind().wireName())
                    .increment(Math.max(1, created.computers().size())))
        .compose(created -> store.find(admin.accountId(), created.id()));
  }

  /** What a creation made: the activity or group, for its computers. */
  private record Created(long id, List<Long> computers) {}

  /** The request with its computers: those it names, or those its query selects now. */
  private Future<NewActivity> chosen(SqlConnection conn, Admin admin, NewActivity request) {
    if (request.targetQuery().isEmpty()) {
      return Future.succeededFuture(request);
    }
    String query = request.targetQuery().get();
    return targetQueries
        .select(conn, admin.accountId(), query)
        .map(
            ids -> {
              if (ids.isEmpty()) {
                throw OutpostException.badRequest(
                    query.isEmpty()
                        ? "all_computers: the account has no computer to target"
                        : "query '" + query + "' selects no computer; nothing was created");
              }
              return request.withComputers(ids);
            });
  }

  /**
   * A package change names packages each computer must know (those whose client takes part in the
   * hash-id handshake): a 400 names each it does not.
   */
  private static Future<NewActivity> packagesKnown(
      SqlConnection conn, Admin admin, ActivityType type, NewActivity request) {
    if (!type.messageType().map(PackageChoices.CHANGE_PACKAGES::equals).orElse(false)) {
      return Future.succeededFuture(request);
    }
    return PackageChoices.check(
            conn, admin.accountId(), request.computerIds(), request.parameters())
        .map(request);
  }

  private Future<Long> insert(
      SqlConnection conn,
      Admin admin,
      ActivityType type,
      AccountSettings settings,
      NewActivity request) {
    checkGroupLimits(request);
    return inserts.insert(
        conn,
        new ActivityInserts.Creation(
            admin.accountId(),
            admin.name(),
            type,
            startState(type, request, settings),
            request.summary().orElseGet(() -> defaultSummary(type.name())),
            request,
            targets(request.computerIds()),
            Optional.empty()),
        absent -> OutpostException.notFound("computers not found: " + absent));
  }

  /**
   * Cancels every named activity the lifecycle lets go to Canceled. The agents running those that
   * were In Progress are told at their next exchange ({@link CancelNotices}).
   */
  public Future<List<TransitionOutcome>> cancel(Admin admin, List<Long> ids) {
    return store
        .transition(admin.accountId(), ids, Status.CANCELED, admin.name(), "canceled")
        .compose(outcomes -> tellAgents(outcomes).map(outcomes));
  }

  /**
   * The followers of the output of those that ran are told they ended; their agents are nudged by
   * the status change itself (migration V16), and told to stop at their next exchange.
   */
  private Future<Void> tellAgents(List<TransitionOutcome> outcomes) {
    List<Long> running =
        outcomes.stream()
            .filter(o -> o.applied() && o.from().equals(Optional.of(Status.IN_PROGRESS)))
            .map(TransitionOutcome::id)
            .toList();
    return ActivityOutput.ended(store.pool(), running);
  }

  /**
   * Approves every named Blocked activity: to Waiting when it depends on another (the scheduler
   * releases it once the dependency is met), to Queued otherwise.
   */
  public Future<List<TransitionOutcome>> approve(Admin admin, List<Long> ids) {
    return accounts
        .settings(admin.accountId())
        .compose(
            settings ->
                settings.fourEyes()
                    ? store.createdBy(admin.accountId(), ids, admin.name())
                    : Future.succeededFuture(Set.<Long>of()))
        .compose(
            own -> {
              List<Long> others = ids.stream().filter(id -> !own.contains(id)).toList();
              List<TransitionOutcome> refused =
                  ids.stream()
                      .filter(own::contains)
                      .map(
                          id ->
                              new TransitionOutcome(
                                  id,
                                  Optional.empty(),
                                  Status.QUEUED,
                                  false,
                                  Optional.of(
                                      "activity "
                                          + id
                                          + " was created by "
                                          + admin.name()
                                          + ": the account's four-eyes policy asks another"
                                          + " administrator to approve it")))
                      .toList();
              return approveAll(admin, others).map(outcomes -> concat(refused, outcomes));
            });
  }

  private Future<List<TransitionOutcome>> approveAll(Admin admin, List<Long> ids) {
    return store
        .dependents(admin.accountId(), ids)
        .compose(
            waiting -> {
              List<Long> queued = ids.stream().filter(id -> !waiting.contains(id)).toList();
              return store
                  .transition(
                      admin.accountId(),
                      List.copyOf(waiting),
                      Status.WAITING,
                      admin.name(),
                      "approved")
                  .compose(
                      first ->
                          store
                              .transition(
                                  admin.accountId(),
                                  queued,
                                  Status.QUEUED,
                                  admin.name(),
                                  "approved")
                              .map(second -> concat(first, second)));
            });
  }

  /** Holds every named Queued activity: back to Blocked until approved. */
  public Future<List<TransitionOutcome>> hold(Admin admin, List<Long> ids) {
    return store.transition(admin.accountId(), ids, Status.BLOCKED, admin.name(), "held");
  }

  /**
   * Creates a new activity (or group) that redoes one of the account's: same type, parameters and
   * summary, for the same computers, Queued. With {@code failedOnly}, only where it failed: a
   * group's failed children, or the activity itself if it failed; a 400 when nothing failed. {@code
   * secrets} gives secret parameters again: a 409 names each the server no longer holds and that is
   * not given (a secret is dropped once delivered, and a group holds none).
   */
  public Future<Activity> reapply(Admin admin, long id, boolean failedOnly, JsonObject secrets) {
    return reapply(admin, List.of(id), failedOnly, secrets).map(created -> created.get(0));
  }

  /**
   * Reapplies several activities, as {@link #reapply(Admin, long, boolean, JsonObject)} does one,
   * all or none: every one is checked before any is created, and a refusal names the activity at
   * fault. The new activities come back in the order of {@code ids}.
   */
  public Future<List<Activity>> reapply(
      Admin admin, List<Long> ids, boolean failedOnly, JsonObject secrets) {
    if (ids.isEmpty() || ids.size() > MAX_REAPPLY) {
      throw OutpostException.badRequest(
          "name 1 to " + MAX_REAPPLY + " activities to reapply, not " + ids.size());
    }
    List<Long> repeated =
        ids.stream().filter(id -> ids.indexOf(id) != ids.lastIndexOf(id)).distinct().toList();
    if (!repeated.isEmpty()) {
      throw OutpostException.badRequest("activities named more than once: " + repeated);
    }
    List<Future<ActivityInserts.Creation>> checked =
        ids.stream()
            .map(
                id ->
                    store
                        .findWithAllChildren(admin.accountId(), id)
                        .map(original -> reapplication(admin, original, failedOnly, secrets)))
            .toList();
    // every check ends before any refusal is answered: the first in the order named
    return Future.join(checked)
        .transform(
            all ->
                checked.stream()
                    .filter(Future::failed)
                    .findFirst()
                    .<Future<Void>>map(refused -> Future.failedFuture(refused.cause()))
                    .orElseGet(Future::succeededFuture))
        .compose(
            all ->
                store
                    .pool()
                    .withTransaction(
                        conn -> {
                          Future<List<Long>> created = Future.succeededFuture(new ArrayList<>());
                          for (int i = 0; i < ids.size(); i++) {
                            long original = ids.get(i);
                            ActivityInserts.Creation creation = checked.get(i).result();
                            created =
                                created.compose(
                                    list ->
                                        inserts
                                            .insert(
                                                conn,
                                                creation,
                                                removed -> removedSince(original, removed))
                                            .map(
                                                id -> {
                                                  list.add(id);
                                                  return list;
                                                }));
                          }
                          return created;
                        }))
        .compose(
            created ->
                Future.all(created.stream().map(id -> store.find(admin.accountId(), id)).toList())
                    .map(found -> found.<Activity>list()));
  }

  private static OutpostException removedSince(long original, List<Long> removed) {
    return OutpostException.conflict(
        "activity "
            + original
            + " cannot be reapplied: computers "
            + removed
            + " were removed since");
  }

  private static ActivityInserts.Creation reapplication(
      Admin admin, Activity original, boolean failedOnly, JsonObject secrets) {
    List<Activity> redone =
        (original.isGroup() ? original.children() : List.of(original))
            .stream().filter(a -> !failedOnly || a.status() == Status.FAILED).toList();
    if (redone.isEmpty()) {
      throw OutpostException.badRequest(
          failedOnly
              ? "activity " + original.id() + " has nothing failed to reapply"
              : "activity " + original.id() + " has no children to reapply");
    }
    // A group's children all share the type the group was requested with.
    ActivityType type =
        ActivityTypes.find(redone.get(0).type())
            .orElseThrow(
                () ->
                    OutpostException.conflict(
                        "activity type '" + redone.get(0).type() + "' is no longer known"));
    JsonObject parameters = withSecrets(type, original, secrets);
    List<String> problems = type.validate(parameters);
    if (!problems.isEmpty()) {
      throw OutpostException.conflict(
          "activity " + original.id() + " cannot be reapplied: " + String.join("; ", problems));
    }
    // A lone new activity redoes the one named; a new group's children redo their own.
    List<ActivityInserts.Target> targets =
        redone.size() == 1
            ? List.of(
                new ActivityInserts.Target(redone.get(0).computerId(), Optional.of(original.id())))
            : redone.stream()
                .map(a -> new ActivityInserts.Target(a.computerId(), Optional.of(a.id())))
                .toList();
    NewActivity request =
        NewActivity.of(
            type.name(),
            redone.stream().flatMap(a -> a.computerId().stream()).toList(),
            parameters);
    return new ActivityInserts.Creation(
        admin.accountId(),
        admin.name(),
        type,
        Status.QUEUED,
        original.summary(),
        request,
        targets,
        redone.size() > 1 ? Optional.of(original.id()) : Optional.empty());
  }

  /**
   * The original's parameters with the secrets given again; one given as null goes without. Every
   * secret the original was given and the server no longer holds must be given.
   */
  private static JsonObject withSecrets(ActivityType type, Activity original, JsonObject secrets) {
    JsonObject parameters = original.parameters().copy();
    for (String name : secrets.fieldNames()) {
      if (!type.param(name).map(Param::isSecret).orElse(false)) {
        throw OutpostException.badRequest(
            "reapply takes only secret parameters: '"
                + name
                + "' is not a secret parameter of "
                + type.name());
      }
      parameters.put(name, secrets.getValue(name));
    }
    List<String> missing =
        SecretParameters.notHeld(original.parameters()).stream()
            .filter(name -> !secrets.containsKey(name))
            .toList();
    if (!missing.isEmpty()) {
      throw OutpostException.conflict(
          "activity "
              + original.id()
              + " cannot be reapplied: the"
              + " server no longer holds its secret parameters "
              + missing
              + " (secrets are dropped"
              + " once delivered); give them again in 'parameters', or null to go without");
    }
    return parameters;
  }

  /** One target per computer, or a single one without a computer. */
  private static List<ActivityInserts.Target> targets(List<Long> computerIds) {
    if (computerIds.isEmpty()) {
      return List.of(new ActivityInserts.Target(Optional.empty(), Optional.empty()));
    }
    return computerIds.stream()
        .map(id -> new ActivityInserts.Target(Optional.of(id), Optional.empty()))
        .toList();
  }

  private Status startState(ActivityType type, NewActivity request, AccountSettings settings) {
    if (request.requiresApproval() || settings.approvalTypes().contains(type.name())) {
      return Status.BLOCKED;
    }
    if (request.dependency().isPresent()) {
      return Status.WAITING;
    }
    boolean later = request.deliverAfter().map(t -> t.isAfter(clock.instant())).orElse(false);
    return later || request.delayWindowMinutes() > 0 ? Status.SCHEDULED : Status.QUEUED;
  }

  private void checkTiming(ActivityType type, NewActivity request) {
    request
        .deliverBefore()
        .ifPresent(
            before -> {
              if (!before.isAfter(clock.instant())) {
                throw OutpostException.badRequest("deliver_before must be in the future");
              }
              if (request.deliverAfter().map(after -> !before.isAfter(after)).orElse(false)) {
                throw OutpostException.badRequest(
                    "deliver_before must be later than deliver_after");
              }
            });
    if (request.timeoutSeconds().isPresent() && type.isClient()) {
      throw OutpostException.badRequest(
          "execution_timeout is for server activities; " + type.name() + " runs on its computer");
    }
  }

  /** Limits of a group need one: a request whose computers are known by now. */
  private static void checkGroupLimits(NewActivity request) {
    if ((request.maxConcurrency().isPresent() || request.maxErrors().isPresent())
        && request.computerIds().size() < 2) {
      throw OutpostException.badRequest("max_concurrency and max_errors need several computers");
    }
  }

  private static List<TransitionOutcome> concat(
      List<TransitionOutcome> a, List<TransitionOutcome> b) {
    List<TransitionOutcome> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /**
   * Every child of a group keeps a copy of the parameters and the summary, and every computer gets
   * its own copy of the attachments when they are delivered: each is bounded.
   */
  private void checkSizes(NewActivity request) {
    JsonObject parameters = request.parameters();
    if (parameters.getValue("attachments") instanceof JsonObject attachments) {
      long bytes = 0;
      for (Map.Entry<String, Object> attachment : attachments) {
        // as the exchange stores them: the name, and the value's text in UTF-8
        bytes +=
            utf8Length(attachment.getKey()) + utf8Length(String.valueOf(attachment.getValue()));
      }
      if (bytes > limits.maxAttachmentBytes()) {
        throw OutpostException.badRequest(
            "parameter 'attachments' holds "
                + bytes
                + " bytes (names and contents); at most "
                + limits.maxAttachmentBytes()
                + " are accepted (OUTPOST_MAX_ATTACHMENT_BYTES)");
      }
      parameters = parameters.copy();
      parameters.remove("attachments");
    }
    int bytes = parameters.toBuffer().length();
    if (bytes > limits.maxParametersBytes()) {
      throw OutpostException.badRequest(
          "field 'parameters' is "
              + bytes
              + " bytes of JSON"
              + " (attachments aside); at most "
              + limits.maxParametersBytes()
              + " are accepted (OUTPOST_MAX_PARAMETERS_BYTES)");
    }
    if (request.summary().map(String::length).orElse(0) > MAX_SUMMARY_CHARS) {
      throw OutpostException.badRequest(
          "field 'summary' is longer than " + MAX_SUMMARY_CHARS + " characters");
    }
  }

  private static long utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  private void checkTargets(ActivityType type, NewActivity request) {
    if (request.targetQuery().isPresent()) {
      if (type.targets() == Targets.NONE) {
        throw OutpostException.badRequest(
            type.name() + " runs on the server and takes no 'query' or 'all_computers'");
      }
      return;
    }
    List<Long> computerIds = request.computerIds();
    Set<Long> seen = new HashSet<>();
    Set<Long> repeated = new LinkedHashSet<>();
    for (Long id : computerIds) {
      if (!seen.add(id)) {
        repeated.add(id);
      }
    }
    if (!repeated.isEmpty()) {
      List<Long> named = repeated.stream().limit(NAMED_REPEATS).toList();
      throw OutpostException.badRequest(
          "field 'computer_ids' names computers more than once: "
              + named
              + (repeated.size() > named.size()
                  ? " and " + (repeated.size() - named.size()) + " more"
                  : ""));
    }
    if (computerIds.size() > limits.maxTargets()) {
      throw OutpostException.badRequest(
          "field 'computer_ids' names "
              + computerIds.size()
              + " computers; one request may name at most "
              + limits.maxTargets()
              + " (OUTPOST_MAX_TARGETS)");
    }
    if (type.targets() == Targets.COMPUTERS && computerIds.isEmpty()) {
      throw OutpostException.badRequest("computer_ids is required for " + type.name());
    }
    if (type.targets() == Targets.NONE && !computerIds.isEmpty()) {
      throw OutpostException.badRequest(
          type.name() + " runs on the server and takes no computer_ids");
    }
  }

  /** "ExecuteScriptRequest" reads as "Execute script". */
  static String defaultSummary(String typeName) {
    String words =
        typeName
            .replaceAll("(Request|Activity)$", "")
            .replaceAll("(?<=[a-z])(?=[A-Z])", " ")
            .toLowerCase(java.util.Locale.ROOT);
    return Character.toUpperCase(words.charAt(0)) + words.substring(1);
  }
}
