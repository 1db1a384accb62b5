package dev.outpost.server.script;

import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.activity.Status;
import dev.outpost.common.error.OutpostException;
import dev.outpost.server.activity.ActivityInserts;
import dev.outpost.server.activity.NewActivity;
import dev.outpost.server.computer.ComputerSelection;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a profile's firing creates: the script's current version as an ExecuteScriptRequest on the
 * computers its targets name now (one activity, or a group of them), linked to the profile, all in
 * the caller's transaction, so that it commits with the claim of the due time or not at all.
 */
public final class ProfileFiring {

  private static final Logger LOG = LoggerFactory.getLogger(ProfileFiring.class);
  private static final ActivityType SCRIPT = ActivityTypes.find(ScriptRun.TYPE).orElseThrow();

  private final ActivityInserts inserts;
  private final ComputerSelection selection;

  /** Firings created by these inserts, on the computers the selection resolves their targets to. */
  public ProfileFiring(ActivityInserts inserts, ComputerSelection selection) {
    this.inserts = inserts;
    this.selection = selection;
  }

  /**
   * Claims a due time of a profile and fires it, in the caller's transaction: the next due time is
   * the trigger's next after {@code now}, so a server down over several due times fires once.
   *
   * @param needsApproval the account holds scripts for approval: the activities start Blocked
   * @return the computers given the script: none when another server claimed the time first, or
   *     when it created nothing (below)
   */
  public Future<Integer> fireDue(
      SqlConnection conn, Profile profile, Instant now, boolean needsApproval) {
    Instant due = profile.nextFireAt().orElseThrow();
    return ProfileStore.claim(conn, profile.id(), due, profile.trigger().nextAfter(now), now)
        .compose(
            claimed ->
                claimed
                    ? fire(conn, profile, Optional.empty(), due, needsApproval)
                    : Future.succeededFuture(0));
  }

  /**
   * Fires a profile for the computers its targets select (only {@code computer} when given, if they
   * select it). Nothing is created when no computer matches, when more than the target cap do, or
   * when the script was archived since: the log says why.
   *
   * @param due the due time (a registration's time for a computer enrolling), recorded with the
   *     activity
   * @param needsApproval the account holds scripts for approval: the activities start Blocked
   * @return the computers given the script
   */
  public Future<Integer> fire(
      SqlConnection conn,
      Profile profile,
      Optional<Long> computer,
      Instant due,
      boolean needsApproval) {
    return ScriptStore.run(conn, profile.accountId(), profile.scriptId(), Optional.empty())
        .compose(
            run ->
                profile
                    .targets()
                    .resolve(conn, selection, profile.accountId(), computer)
                    .compose(
                        computers ->
                            create(conn, profile, run, computers, computer, due, needsApproval)))
        .recover(
            failure -> {
              // an archived script (409), more computers than the target cap (400): logged, and
              // the due time is spent; a statement that failed fails the whole sweep instead
              if (failure instanceof OutpostException e
                  && (e.status() == 409 || e.status() == 400)) {
                LOG.warn(
                    "script profile not fired [profile: {}, script: {}, reason: {}]",
                    profile.id(),
                    profile.scriptId(),
                    e.getMessage());
                return Future.succeededFuture(0);
              }
              return Future.failedFuture(failure);
            });
  }

  private Future<Integer> create(
      SqlConnection conn,
      Profile profile,
      ScriptRun run,
      List<Long> computers,
      Optional<Long> enrolled,
      Instant due,
      boolean needsApproval) {
    if (computers.isEmpty()) {
      return Future.succeededFuture(0);
    }
    JsonObject given = new JsonObject();
    profile.username().ifPresent(name -> given.put("username", name));
    profile.timeLimit().ifPresent(seconds -> given.put("time_limit", seconds));
    NewActivity request = NewActivity.of(SCRIPT.name(), computers, run.parameters(given));
    List<ActivityInserts.Target> targets =
        computers.stream()
            .map(id -> new ActivityInserts.Target(Optional.of(id), Optional.empty()))
            .toList();
    ActivityInserts.Creation creation =
        new ActivityInserts.Creation(
            profile.accountId(),
            profile.creator(),
            SCRIPT,
            needsApproval ? Status.BLOCKED : Status.QUEUED,
            profile.title(),
            request,
            targets,
            Optional.empty());
    return inserts
        .insert(
            conn,
            creation,
            gone -> OutpostException.conflict("computers removed while firing: " + gone))
        .compose(id -> ProfileStore.link(conn, profile.id(), id, due, enrolled))
        .map(linked -> targets.size());
  }
}
