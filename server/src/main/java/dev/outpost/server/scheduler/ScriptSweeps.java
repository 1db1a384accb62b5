package dev.outpost.server.scheduler;

import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.activity.Status;
import dev.outpost.common.error.OutpostException;
import dev.outpost.server.account.AccountStore;
import dev.outpost.server.activity.ActivityInserts;
import dev.outpost.server.activity.NewActivity;
import dev.outpost.server.computer.ComputerSelection;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.script.Enrollments;
import dev.outpost.server.script.Profile;
import dev.outpost.server.script.ProfileFiring;
import dev.outpost.server.script.ProfileStore;
import dev.outpost.server.script.ScriptRun;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The sweeps that create activities by time and by events: script profiles whose due time has come,
 * post-enrollment profiles of computers that registered, and each account's daily retention.
 *
 * <p>Each takes its rows account by account in turn ({@link Scheduler#inTurn}), locked with {@code
 * FOR UPDATE SKIP LOCKED}, and creates the activities in the transaction that claims the rows: a
 * profile's due time is moved on ({@link ProfileFiring#fireDue}), an enrollment deleted, a
 * retention's day written. So a due time, an enrollment and a day each create their activities
 * once, however many servers sweep and whenever one stops; the time comes from the injected clock.
 */
public final class ScriptSweeps {

  /** The most profiles, enrollments or retentions one sweep takes; the next pass takes the rest. */
  static final int BATCH = 50;

  /** Profiles whose next due time has come, each account's in turn. */
  private static final String DUE =
      Scheduler.inTurn(
          """
          SELECT id, next_fire_at AS position FROM script_profiles
           WHERE account_id = ac.id AND next_fire_at <= $1
           ORDER BY next_fire_at LIMIT $2
          """,
          "$2");

  /**
   * Computers enrolled and not yet given their post-enrollment profiles, each account's in turn.
   */
  private static final String ENROLLED =
      Scheduler.inTurn(
          """
          SELECT computer_id AS id, registered_at AS position FROM enrollments
           WHERE account_id = ac.id
           ORDER BY registered_at LIMIT $1
          """,
          "$1");

  private static final ActivityType ARCHIVE = ActivityTypes.find("ArchiveRequest").orElseThrow();
  private static final String RETENTION = "retention";

  private final Pool pool;
  private final Clock clock;
  private final ActivityInserts inserts;
  private final ProfileFiring firing;
  private final ServerMetrics metrics;

  /**
   * Sweeps over the pool on the clock, firing profiles on at most {@code maxTargets} computers
   * each, counting what they create in the metrics.
   */
  public ScriptSweeps(Pool pool, Clock clock, ComputerSelection selection, ServerMetrics metrics) {
    this.pool = pool;
    this.clock = clock;
    this.metrics = metrics;
    this.inserts = new ActivityInserts(pool, clock);
    this.firing = new ProfileFiring(inserts, selection);
  }

  /**
   * Runs every sweep once, in order; the result counts the activities created (a child of a group
   * each, not the group), which the metrics' created activities count once committed.
   */
  public Future<Integer> sweep() {
    Instant now = clock.instant();
    return counted(fire(now), ScriptRun.TYPE)
        .compose(fired -> counted(enrollments(), ScriptRun.TYPE).map(enrolled -> fired + enrolled))
        .compose(
            created ->
                counted(retention(now), ARCHIVE.name()).map(archiving -> created + archiving));
  }

  /** Counts what a committed sweep created in the metrics, by the kind of its type. */
  private Future<Integer> counted(Future<Integer> created, String type) {
    return created.onSuccess(
        count ->
            metrics
                .activitiesCreated(ActivityTypes.find(type).orElseThrow().kind().wireName())
                .increment(count));
  }

  /** Fires the profiles whose due time has come, once per due time. */
  Future<Integer> fire(Instant now) {
    return pool.withTransaction(
        conn ->
            Scheduler.ids(conn, DUE, Tuple.of(Scheduler.at(now), BATCH))
                .compose(
                    ids ->
                        ids.isEmpty()
                            ? Future.succeededFuture(List.<Profile>of())
                            : ProfileStore.read(conn, ids))
                .compose(
                    profiles ->
                        inSequence(
                            conn,
                            profiles,
                            (profile, holding) ->
                                firing.fireDue(
                                    conn, profile, now, holding.contains(profile.accountId())))));
  }

  /** Gives each computer enrolled since the last pass its account's post-enrollment profiles. */
  Future<Integer> enrollments() {
    return pool.withTransaction(
        conn ->
            Scheduler.ids(conn, ENROLLED, Tuple.of(BATCH))
                .compose(ids -> Enrollments.take(conn, ids))
                .compose(
                    enrolled -> {
                      Future<Integer> chain = Future.succeededFuture(0);
                      for (Enrollments.Enrolled computer : enrolled) {
                        chain =
                            chain.compose(
                                created ->
                                    ProfileStore.postEnrollment(conn, computer.accountId())
                                        .compose(
                                            profiles ->
                                                inSequence(
                                                    conn,
                                                    profiles,
                                                    (profile, holding) ->
                                                        firing.fire(
                                                            conn,
                                                            profile,
                                                            Optional.of(computer.computerId()),
                                                            computer.registeredAt(),
                                                            holding.contains(profile.accountId()))))
                                        .map(more -> created + more));
                      }
                      return chain;
                    }));
  }

  /**
   * Creates today's ArchiveRequest of each account that keeps finished activities for a number of
   * days and has not had one today (UTC): a server activity, listed like any other.
   */
  Future<Integer> retention(Instant now) {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    return pool.withTransaction(
        conn ->
            AccountStore.claimRetention(conn, today, BATCH)
                .compose(
                    due -> {
                      Future<Integer> chain = Future.succeededFuture(0);
                      for (AccountStore.Retention account : due) {
                        chain =
                            chain.compose(
                                created ->
                                    inserts
                                        .insert(
                                            conn,
                                            archive(account),
                                            none -> OutpostException.conflict("no computers"))
                                        .map(id -> created + 1));
                      }
                      return chain;
                    }));
  }

  private static ActivityInserts.Creation archive(AccountStore.Retention account) {
    return new ActivityInserts.Creation(
        account.accountId(),
        RETENTION,
        ARCHIVE,
        Status.QUEUED,
        "Archive activities finished over " + account.days() + " days ago (retention)",
        NewActivity.of(
            ARCHIVE.name(), List.of(), new JsonObject().put("older_than_days", account.days())),
        List.of(new ActivityInserts.Target(Optional.empty(), Optional.empty())),
        Optional.empty());
  }

  /** What fires one profile, told which accounts hold scripts for approval. */
  private interface Fire {
    Future<Integer> apply(Profile profile, Set<Long> holding);
  }

  /**
   * Fires the profiles one after the other on the connection; counts the computers given a script.
   */
  private static Future<Integer> inSequence(SqlConnection conn, List<Profile> profiles, Fire fire) {
    if (profiles.isEmpty()) {
      return Future.succeededFuture(0);
    }
    Set<Long> accounts = profiles.stream().map(Profile::accountId).collect(Collectors.toSet());
    return AccountStore.holding(conn, accounts, ScriptRun.TYPE)
        .compose(
            holding -> {
              Future<Integer> chain = Future.succeededFuture(0);
              for (Profile profile : profiles) {
                chain =
                    chain.compose(
                        created ->
                            fire.apply(profile, holding).map(computers -> created + computers));
              }
              return chain;
            });
  }
}
