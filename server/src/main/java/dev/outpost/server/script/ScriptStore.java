package dev.outpost.server.script;

import dev.outpost.common.error.OutpostException;
import dev.outpost.common.wire.StorableText;
import dev.outpost.server.ServerConfig;
import dev.outpost.server.activity.NewActivity;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Saved scripts of an account: their immutable versions and their attachments, in the tables {@code
 * scripts}, {@code script_versions} and {@code script_attachments}.
 */
public final class ScriptStore {

  /** The longest title. */
  static final int MAX_TITLE_CHARS = 200;

  /** The longest interpreter and user name. */
  static final int MAX_NAME_CHARS = 255;

  /** The longest time limit a script may name: a day. */
  static final int MAX_TIME_LIMIT_SECONDS = 86_400;

  /** Versions one script may have: past that, a new script is saved. */
  static final int MAX_VERSIONS = 1_000;

  /** Files one script may hold. */
  static final int MAX_ATTACHMENTS = 100;

  private static final String COLUMNS =
      """
      s.id, s.title, s.version, v.code, v.interpreter, s.username, s.time_limit, s.creator,
      s.created_at, s.archived_at
      """;

  private static final String FROM =
      " FROM scripts s JOIN script_versions v ON v.script_id = s.id AND v.number = s.version";

  private final Pool pool;
  private final Clock clock;
  private final ServerConfig.Limits limits;

  /**
   * Creates the store over the shared pool: a script's code is bounded like an activity's
   * parameters, its attachments by their own limits.
   */
  public ScriptStore(Pool pool, Clock clock, ServerConfig.Limits limits) {
    this.pool = pool;
    this.clock = clock;
    this.limits = limits;
  }

  /** Saves a new script as its version 1. */
  public Future<Script> create(long accountId, String creator, ScriptDraft draft) {
    String title =
        draft.title().orElseThrow(() -> OutpostException.badRequest("missing field 'title'"));
    String code =
        draft.code().orElseThrow(() -> OutpostException.badRequest("missing field 'code'"));
    check(draft);
    String interpreter =
        draft
            .interpreter()
            .or(() -> ScriptDraft.shebang(code))
            .orElse(ScriptDraft.DEFAULT_INTERPRETER);
    OffsetDateTime now = now();
    return pool.withTransaction(
            conn ->
                // the account's row serializes creations, so the cap holds
                conn.preparedQuery(
                        """
                        SELECT (SELECT count(*) FROM scripts
                                 WHERE account_id = $1 AND archived_at IS NULL)
                          FROM accounts WHERE id = $1 FOR UPDATE
                        """)
                    .execute(Tuple.of(accountId))
                    .compose(
                        counted -> {
                          if (counted.iterator().next().getLong(0) >= limits.maxScripts()) {
                            throw OutpostException.badRequest(
                                "the account keeps "
                                    + limits.maxScripts()
                                    + " scripts already (OUTPOST_MAX_SCRIPTS); archive one first");
                          }
                          return conn.preparedQuery(
                                  """
                        INSERT INTO scripts (account_id, title, username, time_limit, version,
                                             creator, created_at)
                        VALUES ($1, $2, $3, $4, 1, $5, $6) RETURNING id
                        """)
                              .execute(
                                  Tuple.of(
                                      accountId,
                                      title,
                                      draft.username().orElse(null),
                                      draft.timeLimit().orElse(null),
                                      creator,
                                      now));
                        })
                    .map(rows -> rows.iterator().next().getLong(0))
                    .compose(
                        id -> addVersion(conn, id, 1, code, interpreter, creator, now).map(id)))
        .compose(id -> find(accountId, id));
  }

  /** The account's scripts by id, newest first: {@code limit} below {@code before}. */
  public Future<List<Script>> list(
      long accountId, int limit, Optional<Long> before, boolean withArchived) {
    return pool.preparedQuery(
            "SELECT "
                + COLUMNS
                + FROM
                + " WHERE s.account_id = $1 AND s.id < $2 AND ($3 OR s.archived_at IS NULL)"
                + " ORDER BY s.id DESC LIMIT $4")
        .execute(Tuple.of(accountId, before.orElse(Long.MAX_VALUE), withArchived, limit))
        .map(ScriptStore::scripts);
  }

  /** One of the account's scripts with its current version; 404 when the account has none such. */
  public Future<Script> find(long accountId, long id) {
    return find(pool, accountId, id, false);
  }

  /**
   * Edits a script: the title and defaults in place; a code or interpreter that differs from the
   * current version's makes a new version, which becomes the current one. An archived script is not
   * edited (409).
   */
  public Future<Script> update(long accountId, long id, String editor, ScriptDraft edit) {
    check(edit);
    return pool.withTransaction(
            conn ->
                find(conn, accountId, id, true)
                    .compose(
                        current -> {
                          refuseArchived(current);
                          String code = edit.code().orElse(current.code());
                          String interpreter =
                              edit.interpreter()
                                  .or(() -> edit.code().flatMap(ScriptDraft::shebang))
                                  .orElse(current.interpreter());
                          boolean changed =
                              !code.equals(current.code())
                                  || !interpreter.equals(current.interpreter());
                          int version = changed ? current.version() + 1 : current.version();
                          if (version > MAX_VERSIONS) {
                            throw OutpostException.badRequest(
                                "script "
                                    + id
                                    + " has "
                                    + MAX_VERSIONS
                                    + " versions, the most one keeps; save a new script");
                          }
                          Future<Void> versioned =
                              changed
                                  ? addVersion(conn, id, version, code, interpreter, editor, now())
                                  : Future.succeededFuture();
                          return versioned.compose(
                              done ->
                                  conn.preparedQuery(
                                          """
                                          UPDATE scripts SET title = $2, username = $3,
                                                             time_limit = $4, version = $5
                                           WHERE id = $1
                                          """)
                                      .execute(
                                          Tuple.of(
                                              id,
                                              edit.title().orElse(current.title()),
                                              edit.username().or(current::username).orElse(null),
                                              edit.timeLimit().or(current::timeLimit).orElse(null),
                                              version)));
                        }))
        .compose(done -> find(accountId, id));
  }

  /**
   * Archives a script: hidden from listings unless asked for, it starts no new activity; what it
   * started goes on, and its versions stay readable. Archiving it again changes nothing.
   */
  public Future<Script> archive(long accountId, long id) {
    return pool.preparedQuery(
            """
            UPDATE scripts SET archived_at = COALESCE(archived_at, $3)
             WHERE account_id = $1 AND id = $2
            """)
        .execute(Tuple.of(accountId, id, now()))
        .compose(
            rows -> {
              if (rows.rowCount() == 0) {
                return Future.failedFuture(notFound(id));
              }
              return find(accountId, id);
            });
  }

  /** The script's versions, newest first: {@code limit} numbered below {@code before}. */
  public Future<List<ScriptVersion>> versions(
      long accountId, long id, int limit, Optional<Long> before) {
    return find(accountId, id)
        .compose(
            script ->
                pool.preparedQuery(
                        """
                        SELECT number, code, interpreter, creator, created_at
                          FROM script_versions
                         WHERE script_id = $1 AND number < $2
                         ORDER BY number DESC LIMIT $3
                        """)
                    .execute(
                        Tuple.of(id, before.orElse((long) Integer.MAX_VALUE).intValue(), limit)))
        .map(
            rows -> {
              List<ScriptVersion> versions = new ArrayList<>(rows.size());
              for (Row row : rows) {
                versions.add(
                    new ScriptVersion(
                        row.getInteger(0),
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        instant(row, 4)));
              }
              return versions;
            });
  }

  /**
   * Adds a file to the script: at most {@code OUTPOST_MAX_SCRIPT_ATTACHMENT_BYTES}, the script's
   * files together at most {@code OUTPOST_MAX_SCRIPT_ATTACHMENTS_BYTES}, {@link #MAX_ATTACHMENTS}
   * of them, one per name (a name taken is a 409: delete it first).
   */
  public Future<ScriptAttachment> attach(
      long accountId, long id, String creator, String name, Buffer content) {
    checkFileName(name);
    if (content.length() > limits.maxScriptAttachmentBytes()) {
      throw OutpostException.badRequest(
          "attachment '"
              + name
              + "' is "
              + content.length()
              + " bytes; a script's file may be at most "
              + limits.maxScriptAttachmentBytes()
              + " (OUTPOST_MAX_SCRIPT_ATTACHMENT_BYTES)");
    }
    OffsetDateTime now = now();
    return pool.withTransaction(
        conn ->
            find(conn, accountId, id, true)
                .compose(
                    script -> {
                      refuseArchived(script);
                      return conn.preparedQuery(
                              """
                              SELECT count(*), COALESCE(sum(size), 0), bool_or(name = $2)
                                FROM script_attachments WHERE script_id = $1
                              """)
                          .execute(Tuple.of(id, name));
                    })
                .compose(
                    rows -> {
                      Row held = rows.iterator().next();
                      if (Boolean.TRUE.equals(held.getBoolean(2))) {
                        throw OutpostException.conflict(
                            "script " + id + " already has an attachment named '" + name + "'");
                      }
                      if (held.getLong(0) >= MAX_ATTACHMENTS) {
                        throw OutpostException.badRequest(
                            "script " + id + " holds " + MAX_ATTACHMENTS + " attachments already");
                      }
                      long total = held.getLong(1) + content.length();
                      if (total > limits.maxScriptAttachmentsBytes()) {
                        throw OutpostException.badRequest(
                            "script "
                                + id
                                + "'s attachments would be "
                                + total
                                + " bytes; at most "
                                + limits.maxScriptAttachmentsBytes()
                                + " are kept per script (OUTPOST_MAX_SCRIPT_ATTACHMENTS_BYTES)");
                      }
                      return conn.preparedQuery(
                              """
                              INSERT INTO script_attachments (script_id, name, content, size,
                                                              creator, created_at)
                              VALUES ($1, $2, $3, $4, $5, $6)
                              RETURNING id, name, size, creator, created_at
                              """)
                          .execute(Tuple.of(id, name, content, content.length(), creator, now));
                    })
                .map(rows -> attachment(rows.iterator().next())));
  }

  /** The script's attachments, by name. */
  public Future<List<ScriptAttachment>> attachments(long accountId, long id) {
    return find(accountId, id)
        .compose(
            script ->
                pool.preparedQuery(
                        """
                        SELECT id, name, size, creator, created_at FROM script_attachments
                         WHERE script_id = $1 ORDER BY name
                        """)
                    .execute(Tuple.of(id)))
        .map(
            rows -> {
              List<ScriptAttachment> all = new ArrayList<>(rows.size());
              rows.forEach(row -> all.add(attachment(row)));
              return all;
            });
  }

  /**
   * Deletes one of the script's attachments; runs delivered and not yet fetched lose it with it.
   */
  public Future<Void> deleteAttachment(long accountId, long id, long attachmentId) {
    return pool.preparedQuery(
            """
            DELETE FROM script_attachments t USING scripts s
             WHERE t.id = $3 AND t.script_id = s.id AND s.id = $2 AND s.account_id = $1
            """)
        .execute(Tuple.of(accountId, id, attachmentId))
        .map(
            rows -> {
              if (rows.rowCount() == 0) {
                throw OutpostException.notFound(
                    "script " + id + " has no attachment " + attachmentId);
              }
              return null;
            });
  }

  /**
   * An ExecuteScriptRequest naming a saved script ({@code script_id}, and {@code script_version} or
   * the current one) with that version's parameters ({@link ScriptRun#parameters}); any other
   * request as it is.
   */
  public Future<NewActivity> expand(long accountId, NewActivity request) {
    JsonObject parameters = request.parameters();
    if (!request.type().equals(ScriptRun.TYPE)
        || !(parameters.containsKey(ScriptRun.SCRIPT_ID)
            || parameters.containsKey(ScriptRun.SCRIPT_VERSION))) {
      return Future.succeededFuture(request);
    }
    Object id = parameters.getValue(ScriptRun.SCRIPT_ID);
    Object version = parameters.getValue(ScriptRun.SCRIPT_VERSION);
    if (!(id instanceof Integer || id instanceof Long)) {
      throw OutpostException.badRequest(
          "parameter 'script_id' must be the integer id of a saved script");
    }
    if (version != null && !(version instanceof Integer number && number > 0)) {
      throw OutpostException.badRequest(
          "parameter 'script_version' must be a version number of the script");
    }
    JsonObject given = parameters.copy();
    given.remove(ScriptRun.SCRIPT_ID);
    given.remove(ScriptRun.SCRIPT_VERSION);
    return run(pool, accountId, ((Number) id).longValue(), Optional.ofNullable((Integer) version))
        .map(run -> request.withParameters(run.parameters(given)));
  }

  /**
   * A version of one of the account's scripts (its current one when none is named), as a run takes
   * it, in the caller's transaction: 404 for a script the account does not have, 400 for a version
   * it never had, 409 for an archived script.
   */
  public static Future<ScriptRun> run(
      SqlClient conn, long accountId, long id, Optional<Integer> version) {
    return conn.preparedQuery(
            """
            SELECT s.archived_at, s.username, s.time_limit, v.number, v.code, v.interpreter
              FROM scripts s
              LEFT JOIN script_versions v
                ON v.script_id = s.id AND v.number = COALESCE($3, s.version)
             WHERE s.account_id = $1 AND s.id = $2
            """)
        .execute(Tuple.of(accountId, id, version.orElse(null)))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw notFound(id);
              }
              Row row = rows.iterator().next();
              if (row.getValue(0) != null) {
                throw OutpostException.conflict(
                    "script " + id + " is archived: it starts no new activity");
              }
              if (row.getValue(3) == null) {
                throw OutpostException.badRequest(
                    "script " + id + " has no version " + version.orElse(0));
              }
              return new ScriptRun(
                  id,
                  row.getInteger(3),
                  row.getString(4),
                  row.getString(5),
                  Optional.ofNullable(row.getString(1)),
                  Optional.ofNullable(row.getInteger(2)));
            });
  }

  private static Future<Void> addVersion(
      SqlClient conn,
      long id,
      int number,
      String code,
      String interpreter,
      String creator,
      OffsetDateTime now) {
    return conn.preparedQuery(
            """
            INSERT INTO script_versions (script_id, number, code, interpreter, creator, created_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            """)
        .execute(Tuple.of(id, number, code, interpreter, creator, now))
        .mapEmpty();
  }

  private static Future<Script> find(SqlClient conn, long accountId, long id, boolean lock) {
    return conn.preparedQuery(
            "SELECT "
                + COLUMNS
                + FROM
                + " WHERE s.account_id = $1 AND s.id = $2"
                + (lock ? " FOR UPDATE OF s" : ""))
        .execute(Tuple.of(accountId, id))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw notFound(id);
              }
              return script(rows.iterator().next());
            });
  }

  /** Refuses what no script may hold, naming the field. */
  private void check(ScriptDraft draft) {
    draft
        .title()
        .ifPresent(
            title -> {
              if (title.isBlank() || title.length() > MAX_TITLE_CHARS) {
                throw OutpostException.badRequest(
                    "field 'title' must be 1 to " + MAX_TITLE_CHARS + " characters");
              }
              storable("title", title);
            });
    draft
        .code()
        .ifPresent(
            code -> {
              int bytes = code.getBytes(StandardCharsets.UTF_8).length;
              if (code.isBlank() || bytes > limits.maxParametersBytes()) {
                throw OutpostException.badRequest(
                    "field 'code' must hold 1 to "
                        + limits.maxParametersBytes()
                        + " bytes (OUTPOST_MAX_PARAMETERS_BYTES), not "
                        + bytes);
              }
              storable("code", code);
            });
    for (String field : List.of("interpreter", "username")) {
      Optional<String> value = field.equals("interpreter") ? draft.interpreter() : draft.username();
      value.ifPresent(
          name -> {
            if (name.isBlank() || name.length() > MAX_NAME_CHARS) {
              throw OutpostException.badRequest(
                  "field '" + field + "' must be 1 to " + MAX_NAME_CHARS + " characters");
            }
            storable(field, name);
          });
    }
    draft
        .timeLimit()
        .ifPresent(
            seconds -> {
              if (seconds < 1 || seconds > MAX_TIME_LIMIT_SECONDS) {
                throw OutpostException.badRequest(
                    "field 'time_limit' must be 1 to " + MAX_TIME_LIMIT_SECONDS + " seconds");
              }
            });
  }

  /** A file name the agent can write into the attachments directory as it is. */
  private static void checkFileName(String name) {
    if (name == null
        || name.isEmpty()
        || name.getBytes(StandardCharsets.UTF_8).length > 255
        || name.equals(".")
        || name.equals("..")
        || name.contains("/")
        || !StorableText.isStorable(name)) {
      throw OutpostException.badRequest(
          "an attachment needs a 'filename' of 1 to 255 bytes, without '/' and other than '.' and"
              + " '..'");
    }
  }

  private static void storable(String field, String text) {
    if (!StorableText.isStorable(text)) {
      throw OutpostException.badRequest(
          "field '" + field + "' holds a NUL character or an unpaired surrogate");
    }
  }

  private static void refuseArchived(Script script) {
    if (script.archivedAt().isPresent()) {
      throw OutpostException.conflict("script " + script.id() + " is archived");
    }
  }

  private static OutpostException notFound(long id) {
    return OutpostException.notFound("script " + id + " not found");
  }

  private static List<Script> scripts(RowSet<Row> rows) {
    List<Script> scripts = new ArrayList<>(rows.size());
    rows.forEach(row -> scripts.add(script(row)));
    return scripts;
  }

  private static Script script(Row row) {
    return new Script(
        row.getLong(0),
        row.getString(1),
        row.getInteger(2),
        row.getString(3),
        row.getString(4),
        Optional.ofNullable(row.getString(5)),
        Optional.ofNullable(row.getInteger(6)),
        row.getString(7),
        instant(row, 8),
        Optional.ofNullable(row.getOffsetDateTime(9)).map(OffsetDateTime::toInstant));
  }

  private static ScriptAttachment attachment(Row row) {
    return new ScriptAttachment(
        row.getLong(0), row.getString(1), row.getInteger(2), row.getString(3), instant(row, 4));
  }

  private static Instant instant(Row row, int column) {
    return row.getOffsetDateTime(column).toInstant();
  }

  private OffsetDateTime now() {
    return clock.instant().atOffset(ZoneOffset.UTC);
  }
}
