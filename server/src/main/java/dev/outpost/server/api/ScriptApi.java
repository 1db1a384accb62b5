package dev.outpost.server.api;

import static dev.outpost.server.api.AdminApi.admin;
import static dev.outpost.server.api.AdminApi.respond;
import static dev.outpost.server.api.AdminApi.respondBytes;

import dev.outpost.common.error.OutpostException;
import dev.outpost.server.account.Permission;
import dev.outpost.server.activity.ActivityStore;
import dev.outpost.server.activity.Page;
import dev.outpost.server.activity.PageRequest;
import dev.outpost.server.script.Profile;
import dev.outpost.server.script.ProfileDraft;
import dev.outpost.server.script.ProfileStore;
import dev.outpost.server.script.Script;
import dev.outpost.server.script.ScriptDraft;
import dev.outpost.server.script.ScriptStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Saved scripts, their versions and attachments, and script profiles, under {@code /api/v2} behind
 * the admin API's gate.
 */
public final class ScriptApi {

  private static final Set<String> SCRIPT_FIELDS =
      Set.of("title", "code", "interpreter", "username", "time_limit");

  private final ScriptStore scripts;
  private final ProfileStore profiles;
  private final ActivityStore activities;
  private final Clock clock;
  private final Json json;
  private final Access access;

  /**
   * Creates the API over the stores; activities are shown as {@code /activities} shows them, stale
   * past {@code resultDeadline}; each route declares its permission through {@code access}.
   */
  public ScriptApi(
      ScriptStore scripts,
      ProfileStore profiles,
      ActivityStore activities,
      Clock clock,
      Duration resultDeadline,
      Access access) {
    this.access = access;
    this.scripts = scripts;
    this.profiles = profiles;
    this.activities = activities;
    this.clock = clock;
    this.json = new Json(clock, resultDeadline);
  }

  /** Mounts the routes; the admin API's gate and the body handler come first. */
  public void mount(Router router) {
    Permission read = Permission.READ;
    Permission operate = Permission.OPERATE;
    HttpMethod post = HttpMethod.POST;
    HttpMethod patch = HttpMethod.PATCH;
    String scriptsPath = "/api/v2/scripts";
    String profilesPath = "/api/v2/script-profiles";
    access.route(router, post, scriptsPath, operate, "script.create").handler(this::createScript);
    access.get(router, scriptsPath, read).handler(this::listScripts);
    access.get(router, scriptsPath + "/:id", read).handler(this::getScript);
    access
        .route(router, patch, scriptsPath + "/:id", operate, "script.update")
        .handler(this::updateScript);
    access
        .route(router, post, scriptsPath + "/:id/archive", operate, "script.archive")
        .handler(this::archiveScript);
    access.get(router, scriptsPath + "/:id/versions", read).handler(this::versions);
    access
        .route(router, post, scriptsPath + "/:id/attachments", operate, "script.attach")
        .handler(this::attach);
    access.get(router, scriptsPath + "/:id/attachments", read).handler(this::attachments);
    access
        .route(
            router,
            HttpMethod.DELETE,
            scriptsPath + "/:id/attachments/:attachment",
            operate,
            "script.detach")
        .handler(this::deleteAttachment);
    access
        .route(router, post, profilesPath, operate, "profile.create")
        .handler(this::createProfile);
    access.get(router, profilesPath, read).handler(this::listProfiles);
    access.get(router, profilesPath + "/:id", read).handler(this::getProfile);
    access
        .route(router, patch, profilesPath + "/:id", operate, "profile.update")
        .handler(this::updateProfile);
    access
        .route(router, post, profilesPath + "/:id/archive", operate, "profile.archive")
        .handler(this::archiveProfile);
    access.get(router, profilesPath + "/:id/activities", read).handler(this::profileActivities);
  }

  private void createScript(RoutingContext ctx) {
    var admin = admin(ctx);
    respond(
        ctx,
        201,
        scripts
            .create(admin.accountId(), admin.name(), scriptDraft(Requests.body(ctx)))
            .map(
                s -> {
                  Access.note(ctx, "id", s.id());
                  Access.note(ctx, "title", s.title());
                  return Json.script(s, true);
                }));
  }

  /** A page of scripts by id, newest first, without their code; archived ones when asked. */
  private void listScripts(RoutingContext ctx) {
    Requests.KeyPage asked = Requests.keyPage(ctx);
    respond(
        ctx,
        200,
        scripts
            .list(
                admin(ctx).accountId(),
                asked.limit() + 1,
                asked.before(),
                Requests.boolParam(ctx, "archived", false))
            .map(
                found ->
                    Json.keyPage(found, asked.limit(), s -> Json.script(s, false), Script::id)));
  }

  private void getScript(RoutingContext ctx) {
    respond(
        ctx,
        200,
        scripts
            .find(admin(ctx).accountId(), Requests.pathId(ctx, "id"))
            .map(s -> Json.script(s, true)));
  }

  private void updateScript(RoutingContext ctx) {
    var admin = admin(ctx);
    respond(
        ctx,
        200,
        scripts
            .update(
                admin.accountId(),
                Requests.pathId(ctx, "id"),
                admin.name(),
                scriptDraft(Requests.body(ctx)))
            .map(s -> Json.script(s, true)));
  }

  private void archiveScript(RoutingContext ctx) {
    respond(
        ctx,
        200,
        scripts
            .archive(admin(ctx).accountId(), Requests.pathId(ctx, "id"))
            .map(s -> Json.script(s, true)));
  }

  /** A page of a script's versions, newest first; {@code before} takes a version number. */
  private void versions(RoutingContext ctx) {
    Requests.KeyPage asked = Requests.keyPage(ctx, Integer.MAX_VALUE);
    respond(
        ctx,
        200,
        scripts
            .versions(
                admin(ctx).accountId(),
                Requests.pathId(ctx, "id"),
                asked.limit() + 1,
                asked.before())
            .map(
                found -> Json.keyPage(found, asked.limit(), Json::scriptVersion, v -> v.number())));
  }

  /** Uploads a file: the body as it is, named by {@code ?filename=}. */
  private void attach(RoutingContext ctx) {
    var admin = admin(ctx);
    Buffer content = ctx.body() == null ? null : ctx.body().buffer();
    respond(
        ctx,
        201,
        scripts
            .attach(
                admin.accountId(),
                Requests.pathId(ctx, "id"),
                admin.name(),
                ctx.queryParams().get("filename"),
                content == null ? Buffer.buffer() : content)
            .map(Json::scriptAttachment));
  }

  private void attachments(RoutingContext ctx) {
    respond(
        ctx,
        200,
        scripts
            .attachments(admin(ctx).accountId(), Requests.pathId(ctx, "id"))
            .map(
                list ->
                    new JsonObject()
                        .put(
                            "results",
                            new JsonArray(list.stream().map(Json::scriptAttachment).toList()))));
  }

  private void deleteAttachment(RoutingContext ctx) {
    scripts
        .deleteAttachment(
            admin(ctx).accountId(), Requests.pathId(ctx, "id"), Requests.pathId(ctx, "attachment"))
        .onSuccess(done -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  private void createProfile(RoutingContext ctx) {
    var admin = admin(ctx);
    respond(
        ctx,
        201,
        profiles
            .create(
                admin.accountId(),
                admin.name(),
                ProfileDraft.read(Requests.body(ctx), clock.instant()))
            .map(
                p -> {
                  Access.note(ctx, "id", p.id());
                  Access.note(ctx, "title", p.title());
                  return Json.profile(p);
                }));
  }

  private void listProfiles(RoutingContext ctx) {
    Requests.KeyPage asked = Requests.keyPage(ctx);
    respond(
        ctx,
        200,
        profiles
            .list(
                admin(ctx).accountId(),
                asked.limit() + 1,
                asked.before(),
                Requests.boolParam(ctx, "archived", false))
            .map(found -> Json.keyPage(found, asked.limit(), Json::profile, Profile::id)));
  }

  private void getProfile(RoutingContext ctx) {
    respond(
        ctx,
        200,
        profiles.find(admin(ctx).accountId(), Requests.pathId(ctx, "id")).map(Json::profile));
  }

  private void updateProfile(RoutingContext ctx) {
    respond(
        ctx,
        200,
        profiles
            .update(
                admin(ctx).accountId(),
                Requests.pathId(ctx, "id"),
                ProfileDraft.read(Requests.body(ctx), clock.instant()))
            .map(Json::profile));
  }

  private void archiveProfile(RoutingContext ctx) {
    respond(
        ctx,
        200,
        profiles.archive(admin(ctx).accountId(), Requests.pathId(ctx, "id")).map(Json::profile));
  }

  /**
   * The activities the profile's firings created, newest first, as {@code /activities} pages them
   * (without a count).
   */
  private void profileActivities(RoutingContext ctx) {
    long accountId = admin(ctx).accountId();
    Requests.KeyPage asked = Requests.keyPage(ctx);
    int limit = asked.limit();
    Optional<Long> before = asked.before();
    PageRequest request = new PageRequest(limit, 0, before, false, false, false);
    Future<Buffer> page =
        profiles
            .activities(accountId, Requests.pathId(ctx, "id"), limit + 1, before)
            .compose(
                ids ->
                    activities
                        .findAll(accountId, ids.subList(0, Math.min(limit, ids.size())))
                        .map(
                            found ->
                                json.page(
                                    request,
                                    new Page<>(
                                        Optional.empty(),
                                        false,
                                        found,
                                        ids.size() > limit
                                            ? Optional.of(ids.get(limit - 1))
                                            : Optional.empty()))));
    respondBytes(ctx, 200, page);
  }

  private static ScriptDraft scriptDraft(JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!SCRIPT_FIELDS.contains(field)) {
        throw OutpostException.badRequest("unknown field '" + field + "'");
      }
    }
    Object limit = body.getValue("time_limit");
    if (limit != null && !(limit instanceof Integer)) {
      throw OutpostException.badRequest("field 'time_limit' must be a whole number of seconds");
    }
    return new ScriptDraft(
        Requests.text(body, "title"),
        Requests.text(body, "code"),
        Requests.text(body, "interpreter"),
        Requests.text(body, "username"),
        Optional.ofNullable((Integer) limit));
  }
}
