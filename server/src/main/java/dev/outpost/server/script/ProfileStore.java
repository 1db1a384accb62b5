package dev.outpost.server.script;

import dev.outpost.common.error.OutpostException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Script profiles of an account ({@code script_profiles}) and the activities their firings created
 * ({@code script_profile_activities}).
 */
public final class ProfileStore {

  private static final String COLUMNS =
      """
      p.id, p.account_id, p.title, p.script_id, p.all_computers, p.tags, p.query, p.username,
      p.time_limit, p.trigger_type, p.fire_at, p.start_after, p.cron, p.timezone, p.next_fire_at,
      p.last_fired_at, p.creator, p.created_at, p.archived_at
      """;

  private final Pool pool;
  private final Clock clock;
  private final int maxProfiles;

  /** Creates the store over the shared pool; an account keeps at most {@code maxProfiles}. */
  public ProfileStore(Pool pool, Clock clock, int maxProfiles) {
    this.pool = pool;
    this.clock = clock;
    this.maxProfiles = maxProfiles;
  }

  /**
   * Saves a new profile of one of the account's scripts (not archived), with its first due time.
   */
  public Future<Profile> create(long accountId, String creator, ProfileDraft draft) {
    String title =
        draft.title().orElseThrow(() -> OutpostException.badRequest("missing field 'title'"));
    long scriptId =
        draft
            .scriptId()
            .orElseThrow(() -> OutpostException.badRequest("missing field 'script_id'"));
    ProfileTargets targets =
        draft
            .targets()
            .orElseThrow(
                () ->
                    OutpostException.badRequest(
                        "missing targets: 'tags', 'all_computers' or 'query'"));
    Trigger trigger =
        draft.trigger().orElseThrow(() -> OutpostException.badRequest("missing field 'trigger'"));
    Instant now = clock.instant();
    return pool.withTransaction(
            conn ->
                // the account's row serializes creations, so the cap holds
                conn.preparedQuery(
                        """
                        SELECT (SELECT count(*) FROM script_profiles
                                 WHERE account_id = $1 AND archived_at IS NULL)
                          FROM accounts WHERE id = $1 FOR UPDATE
                        """)
                    .execute(Tuple.of(accountId))
                    .compose(
                        rows -> {
                          if (rows.iterator().next().getLong(0) >= maxProfiles) {
                            throw OutpostException.badRequest(
                                "the account keeps "
                                    + maxProfiles
                                    + " script profiles already (OUTPOST_MAX_SCRIPT_PROFILES);"
                                    + " archive one first");
                          }
                          return ScriptStore.run(conn, accountId, scriptId, Optional.empty());
                        })
                    .compose(
                        script ->
                            conn.preparedQuery(
                                    """
                                    INSERT INTO script_profiles
                                      (account_id, title, script_id, all_computers, tags,
                                       query, username, time_limit, trigger_type, fire_at,
                                       start_after, cron, timezone, event_type, next_fire_at,
                                       creator, created_at)
                                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                                            $13, $14, $15, $16, $17)
                                    RETURNING id
                                    """)
                                .execute(
                                    triggerColumns(
                                            Tuple.of(
                                                accountId,
                                                title,
                                                scriptId,
                                                targets.allComputers(),
                                                targets.tags().toArray(String[]::new),
                                                targets.query().orElse(null),
                                                draft.username().orElse(null),
                                                draft.timeLimit().orElse(null)),
                                            trigger,
                                            trigger.nextAfter(now))
                                        .addString(creator)
                                        .addOffsetDateTime(at(now))))
                    .map(rows -> rows.iterator().next().getLong(0)))
        .compose(id -> find(accountId, id));
  }

  /** The account's profiles by id, newest first: {@code limit} below {@code before}. */
  public Future<List<Profile>> list(
      long accountId, int limit, Optional<Long> before, boolean withArchived) {
    return pool.preparedQuery(
            "SELECT "
                + COLUMNS
                + " FROM script_profiles p"
                + " WHERE p.account_id = $1 AND p.id < $2 AND ($3 OR p.archived_at IS NULL)"
                + " ORDER BY p.id DESC LIMIT $4")
        .execute(Tuple.of(accountId, before.orElse(Long.MAX_VALUE), withArchived, limit))
        .map(ProfileStore::profiles);
  }

  /** One of the account's profiles; 404 when the account has none such. */
  public Future<Profile> find(long accountId, long id) {
    return find(pool, accountId, id, false);
  }

  /**
   * Edits a profile; a new trigger (or the same given again) sets the next due time afresh. An
   * archived profile is not edited (409), nor is one pointed at a script archived or not the
   * account's.
   */
  public Future<Profile> update(long accountId, long id, ProfileDraft edit) {
    Instant now = clock.instant();
    return pool.withTransaction(
            conn ->
                find(conn, accountId, id, true)
                    .compose(
                        current -> {
                          if (current.archivedAt().isPresent()) {
                            throw OutpostException.conflict(
                                "script profile " + id + " is archived");
                          }
                          Future<ScriptRun> script =
                              edit.scriptId().isPresent()
                                  ? ScriptStore.run(
                                      conn, accountId, edit.scriptId().get(), Optional.empty())
                                  : Future.succeededFuture();
                          ProfileTargets targets = edit.targets().orElse(current.targets());
                          Trigger trigger = edit.trigger().orElse(current.trigger());
                          // the next due time: kept unless the trigger is given
                          Optional<Instant> next =
                              edit.trigger().isPresent()
                                  ? trigger.nextAfter(now)
                                  : current.nextFireAt();
                          Tuple row =
                              triggerColumns(
                                  Tuple.of(
                                      id,
                                      edit.title().orElse(current.title()),
                                      edit.scriptId().orElse(current.scriptId()),
                                      targets.allComputers(),
                                      targets.tags().toArray(String[]::new),
                                      targets.query().orElse(null),
                                      edit.username().or(current::username).orElse(null),
                                      edit.timeLimit().or(current::timeLimit).orElse(null)),
                                  trigger,
                                  next);
                          return script.compose(
                              checked ->
                                  conn.preparedQuery(
                                          """
                                          UPDATE script_profiles
                                             SET title = $2, script_id = $3, all_computers = $4,
                                                 tags = $5, query = $6, username = $7,
                                                 time_limit = $8, trigger_type = $9,
                                                 fire_at = $10, start_after = $11, cron = $12,
                                                 timezone = $13, event_type = $14,
                                                 next_fire_at = $15
                                           WHERE id = $1
                                          """)
                                      .execute(row));
                        }))
        .compose(done -> find(accountId, id));
  }

  /** Archives a profile: it fires no more; what it started goes on. Again changes nothing. */
  public Future<Profile> archive(long accountId, long id) {
    return pool.preparedQuery(
            """
            UPDATE script_profiles
               SET archived_at = COALESCE(archived_at, $3), next_fire_at = NULL
             WHERE account_id = $1 AND id = $2
            """)
        .execute(Tuple.of(accountId, id, at(clock.instant())))
        .compose(
            rows -> rows.rowCount() == 0 ? Future.failedFuture(notFound(id)) : find(accountId, id));
  }

  /**
   * The ids of the activities the profile's firings created, newest first: {@code limit} below
   * {@code before}. Archived activities leave the list.
   */
  public Future<List<Long>> activities(long accountId, long id, int limit, Optional<Long> before) {
    return find(accountId, id)
        .compose(
            profile ->
                pool.preparedQuery(
                        """
                        SELECT activity_id FROM script_profile_activities
                         WHERE profile_id = $1 AND activity_id < $2
                         ORDER BY activity_id DESC LIMIT $3
                        """)
                    .execute(Tuple.of(id, before.orElse(Long.MAX_VALUE), limit)))
        .map(
            rows -> {
              List<Long> ids = new ArrayList<>(rows.size());
              rows.forEach(row -> ids.add(row.getLong(0)));
              return ids;
            });
  }

  /** The profiles with these ids, in the caller's transaction (which has locked them). */
  public static Future<List<Profile>> read(SqlClient conn, List<Long> ids) {
    return conn.preparedQuery(
            "SELECT " + COLUMNS + " FROM script_profiles p WHERE p.id = ANY($1) ORDER BY p.id")
        .execute(Tuple.of(ids.toArray(Long[]::new)))
        .map(ProfileStore::profiles);
  }

  /** The account's profiles that fire when a computer enrolls, in the caller's transaction. */
  public static Future<List<Profile>> postEnrollment(SqlClient conn, long accountId) {
    return conn.preparedQuery(
            "SELECT "
                + COLUMNS
                + " FROM script_profiles p"
                + " WHERE p.account_id = $1 AND p.trigger_type = 'event'"
                + " AND p.archived_at IS NULL AND p.event_type = $2 ORDER BY p.id")
        .execute(Tuple.of(accountId, Trigger.PostEnrollment.EVENT))
        .map(ProfileStore::profiles);
  }

  /**
   * Claims a due time of a profile: moves its next due time from {@code due} to {@code next} (none:
   * it fires no more) only if it still reads {@code due}, in the caller's transaction, so that of
   * all the servers sweeping at once one claims it.
   *
   * @return whether this caller claimed it
   */
  static Future<Boolean> claim(
      SqlClient conn, long id, Instant due, Optional<Instant> next, Instant now) {
    return conn.preparedQuery(
            """
            UPDATE script_profiles SET next_fire_at = $3, last_fired_at = $4
             WHERE id = $1 AND next_fire_at = $2
            """)
        .execute(Tuple.of(id, at(due), next.map(ProfileStore::at).orElse(null), at(now)))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Links an activity to the firing of a profile that created it. */
  static Future<Void> link(
      SqlClient conn, long profileId, long activityId, Instant due, Optional<Long> computer) {
    return conn.preparedQuery(
            """
            INSERT INTO script_profile_activities (profile_id, activity_id, due_at, computer_id)
            VALUES ($1, $2, $3, $4)
            """)
        .execute(Tuple.of(profileId, activityId, at(due), computer.orElse(null)))
        .mapEmpty();
  }

  private static Future<Profile> find(SqlClient conn, long accountId, long id, boolean lock) {
    return conn.preparedQuery(
            "SELECT "
                + COLUMNS
                + " FROM script_profiles p WHERE p.account_id = $1 AND p.id = $2"
                + (lock ? " FOR UPDATE" : ""))
        .execute(Tuple.of(accountId, id))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw notFound(id);
              }
              return profile(rows.iterator().next());
            });
  }

  /**
   * Appends the trigger's columns and the next due time ($9 to $15 after eight values: type,
   * fire_at, start_after, cron, timezone, event_type, next_fire_at) to {@code values}.
   */
  private static Tuple triggerColumns(Tuple values, Trigger trigger, Optional<Instant> next) {
    Optional<Trigger.OneTime> once =
        trigger instanceof Trigger.OneTime t ? Optional.of(t) : Optional.empty();
    Optional<Trigger.Recurring> recurring =
        trigger instanceof Trigger.Recurring r ? Optional.of(r) : Optional.empty();
    return values
        .addString(trigger.type())
        .addOffsetDateTime(once.map(t -> at(t.at())).orElse(null))
        .addOffsetDateTime(recurring.map(r -> at(r.startAfter())).orElse(null))
        .addString(recurring.map(Trigger.Recurring::interval).orElse(null))
        .addString(recurring.map(r -> r.timezone().getId()).orElse(null))
        .addString(trigger instanceof Trigger.PostEnrollment ? Trigger.PostEnrollment.EVENT : null)
        .addOffsetDateTime(next.map(ProfileStore::at).orElse(null));
  }

  private static OutpostException notFound(long id) {
    return OutpostException.notFound("script profile " + id + " not found");
  }

  private static List<Profile> profiles(RowSet<Row> rows) {
    List<Profile> profiles = new ArrayList<>(rows.size());
    rows.forEach(row -> profiles.add(profile(row)));
    return profiles;
  }

  private static Profile profile(Row row) {
    Trigger trigger =
        switch (row.getString("trigger_type")) {
          case "one_time" -> new Trigger.OneTime(instant(row, "fire_at").orElseThrow());
          case "recurring" ->
              new Trigger.Recurring(
                  instant(row, "start_after").orElseThrow(),
                  row.getString("cron"),
                  ZoneId.of(row.getString("timezone")));
          default -> new Trigger.PostEnrollment();
        };
    return new Profile(
        row.getLong("id"),
        row.getLong("account_id"),
        row.getString("title"),
        row.getLong("script_id"),
        new ProfileTargets(
            row.getBoolean("all_computers"),
            Arrays.asList(row.getArrayOfStrings("tags")),
            Optional.ofNullable(row.getString("query"))),
        Optional.ofNullable(row.getString("username")),
        Optional.ofNullable(row.getInteger("time_limit")),
        trigger,
        instant(row, "next_fire_at"),
        instant(row, "last_fired_at"),
        row.getString("creator"),
        instant(row, "created_at").orElseThrow(),
        instant(row, "archived_at"));
  }

  private static Optional<Instant> instant(Row row, String column) {
    return Optional.ofNullable(row.getOffsetDateTime(column)).map(OffsetDateTime::toInstant);
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
