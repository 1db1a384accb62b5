package dev.outpost.server.api;

import dev.outpost.common.error.OutpostException;
import dev.outpost.server.account.AccountStore;
import dev.outpost.server.account.Admin;
import dev.outpost.server.account.Permission;
import dev.outpost.server.activity.Activity;
import dev.outpost.server.activity.ActivityQuery;
import dev.outpost.server.activity.ActivityService;
import dev.outpost.server.activity.ActivityStore;
import dev.outpost.server.activity.PageRequest;
import dev.outpost.server.activity.TransitionOutcome;
import dev.outpost.server.computer.ComputerEdits;
import dev.outpost.server.computer.ComputerInventory;
import dev.outpost.server.computer.ComputerPage;
import dev.outpost.server.computer.ComputerQuery;
import dev.outpost.server.computer.ComputerSelection;
import dev.outpost.server.computer.ComputerStore;
import dev.outpost.server.jobs.handlers.UsgReportHandler;
import dev.outpost.server.script.ScriptStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The admin HTTP API under {@code /api/v2}: bearer tokens, JSON, one account per token. */
public final class AdminApi {

  /** The most activities one cancel or approve by query touches. */
  static final int MAX_SELECTION = 10_000;

  private static final String ADMIN = "admin";
  private static final Pattern REPORT = Pattern.compile("(\\d{1,18})\\.(csv|json)");

  private final AccountStore accounts;
  private final ActivityStore activities;
  private final ActivityService service;
  private final ComputerStore computers;
  private final ComputerInventory inventory;
  private final ComputerSelection selection;
  private final ComputerEdits edits;
  private final ScriptStore scripts;
  private final Path storage;
  private final Json json;
  private final Access access;
  private final int maxOffset;
  private final OutputApi output;
  private final LongPredicate channelHeld;

  /**
   * Creates the API over the stores; reports are read from {@code storage}, delivered client
   * activities older than {@code resultDeadline} without a result are shown stale, listings skip at
   * most {@code maxOffset} rows, every route declares its permission through {@code access},
   * running activities' output is read and followed through {@code output}, and {@code channelHeld}
   * tells whether this server holds a computer's channel.
   */
  public AdminApi(
      AccountStore accounts,
      ActivityStore activities,
      ActivityService service,
      ComputerStore computers,
      ComputerSelection selection,
      ComputerEdits edits,
      ScriptStore scripts,
      Path storage,
      Clock clock,
      Duration resultDeadline,
      int maxOffset,
      Access access,
      OutputApi output,
      LongPredicate channelHeld) {
    this.channelHeld = channelHeld;
    this.maxOffset = maxOffset;
    this.output = output;
    this.access = access;
    this.accounts = accounts;
    this.activities = activities;
    this.service = service;
    this.computers = computers;
    this.inventory = computers.inventory();
    this.selection = selection;
    this.edits = edits;
    this.scripts = scripts;
    this.storage = storage;
    this.json = new Json(clock, resultDeadline);
  }

  /**
   * Mounts the routes, each with the permission it asks; the caller has installed the gate and a
   * body handler.
   */
  public void mount(Router router) {
    Permission read = Permission.READ;
    Permission operate = Permission.OPERATE;
    Permission approve = Permission.APPROVE;
    HttpMethod post = HttpMethod.POST;
    String v2 = "/api/v2";
    access
        .route(router, post, v2 + "/activities", operate, "activity.create")
        .handler(this::create);
    access.get(router, v2 + "/activities", read).handler(ctx -> list(ctx, false));
    access.get(router, v2 + "/activities/parents", read).handler(ctx -> list(ctx, true));
    access
        .route(router, post, v2 + "/activities/cancel", operate, "activity.cancel")
        .handler(ctx -> select(ctx, service::cancel));
    access
        .route(router, post, v2 + "/activities/approve", approve, "activity.approve")
        .handler(ctx -> select(ctx, service::approve));
    access
        .route(router, post, v2 + "/activities/hold", approve, "activity.hold")
        .handler(ctx -> select(ctx, service::hold));
    access.get(router, v2 + "/account", read).handler(this::settings);
    access
        .route(router, HttpMethod.PATCH, v2 + "/account", Permission.ADMINISTER, "account.update")
        .handler(this::updateSettings);
    access
        .route(router, post, v2 + "/activities/reapply", operate, "activity.reapply")
        .handler(this::reapply);
    access.get(router, v2 + "/activity-types", read).handler(this::activityTypes);
    access.get(router, v2 + "/activities/:id", read).handler(this::get);
    access.get(router, v2 + "/activities/:id/events", read).handler(this::events);
    access.get(router, v2 + "/activities/:id/output", read).handler(this::output);
    access.get(router, v2 + "/computers", read).handler(this::listComputers);
    access
        .route(router, post, v2 + "/computers/tags", operate, "computer.retag")
        .handler(this::retag);
    access.get(router, v2 + "/computers/:id", read).handler(this::getComputer);
    access
        .route(router, HttpMethod.PATCH, v2 + "/computers/:id", operate, "computer.update")
        .handler(this::updateComputer);
    access.get(router, v2 + "/computers/:id/quarantined-messages", read).handler(this::quarantined);
    access.get(router, v2 + "/computers/:id/users", read).handler(this::computerUsers);
    access.get(router, v2 + "/reports/:file", read).handler(this::report);
  }

  /** A report a GenerateUsgReportActivity wrote: {@code <activity id>.csv} or {@code .json}. */
  private void report(RoutingContext ctx) {
    Matcher name = REPORT.matcher(ctx.pathParam("file"));
    if (!name.matches()) {
      throw OutpostException.notFound("no such report");
    }
    Path file =
        UsgReportHandler.reportFile(
            storage, admin(ctx).accountId(), Long.parseLong(name.group(1)), name.group(2));
    if (!Files.isRegularFile(file)) {
      throw OutpostException.notFound("report " + ctx.pathParam("file") + " not found");
    }
    ctx.response()
        .putHeader("Content-Type", name.group(2).equals("csv") ? "text/csv" : "application/json")
        .sendFile(file.toString())
        .onFailure(ctx::fail);
  }

  /** Creates an activity; a script run may name a saved script in place of its code. */
  private void create(RoutingContext ctx) {
    Admin admin = admin(ctx);
    respondBytes(
        ctx,
        201,
        scripts
            .expand(admin.accountId(), Requests.newActivity(Requests.body(ctx)))
            .compose(request -> service.create(admin, request))
            .map(
                created -> {
                  Access.note(ctx, "id", created.id());
                  Access.note(ctx, "type", created.type());
                  return json.activity(created);
                }));
  }

  /** A page of activities (or of groups only), newest first, with the cursor of the next. */
  private void list(RoutingContext ctx, boolean groupsOnly) {
    String query = ctx.queryParams().get("query");
    ActivityQuery parsed = query == null ? ActivityQuery.all() : ActivityQuery.parse(query);
    PageRequest page = Requests.page(ctx, groupsOnly, maxOffset);
    respondBytes(
        ctx,
        200,
        activities.list(admin(ctx).accountId(), parsed, page).map(found -> json.page(page, found)));
  }

  private void reapply(RoutingContext ctx) {
    Requests.Reapply request = Requests.reapply(Requests.body(ctx));
    Future<List<Activity>> created =
        service
            .reapply(admin(ctx), request.ids(), request.failedOnly(), request.secrets())
            .map(
                list -> {
                  Access.note(ctx, "reapplied", new JsonArray(request.ids()));
                  Access.note(ctx, "ids", new JsonArray(list.stream().map(Activity::id).toList()));
                  return list;
                });
    respondBytes(
        ctx,
        201,
        request.several()
            ? created.map(json::activities)
            : created.map(list -> json.activity(list.get(0))));
  }

  /** Every activity type: its kind, message type and parameters. */
  private void activityTypes(RoutingContext ctx) {
    respond(ctx, 200, Future.succeededFuture(Json.activityTypes()));
  }

  private void get(RoutingContext ctx) {
    respondBytes(
        ctx,
        200,
        activities.find(admin(ctx).accountId(), Requests.pathId(ctx, "id")).map(json::activity));
  }

  private void events(RoutingContext ctx) {
    respond(
        ctx,
        200,
        activities
            .events(admin(ctx).accountId(), Requests.pathId(ctx, "id"))
            .map(
                events ->
                    new JsonObject()
                        .put("results", new JsonArray(events.stream().map(Json::event).toList()))));
  }

  /**
   * A running activity's output from {@code offset} (or, when following, the {@code Last-Event-ID}
   * a reconnecting client sends) as JSON, or followed as Server-Sent Events with {@code
   * follow=true}.
   */
  private void output(RoutingContext ctx) {
    long id = Requests.pathId(ctx, "id");
    boolean follow = Requests.boolParam(ctx, "follow", false);
    long offset = Requests.outputOffset(ctx, follow);
    activities
        .owned(admin(ctx).accountId(), id)
        .onSuccess(
            owned -> {
              if (follow) {
                output.follow(ctx, id, offset);
              } else {
                output.read(ctx, id, offset);
              }
            })
        .onFailure(ctx::fail);
  }

  private void select(
      RoutingContext ctx, BiFunction<Admin, List<Long>, Future<List<TransitionOutcome>>> action) {
    Admin admin = admin(ctx);
    JsonObject body = Requests.body(ctx);
    Future<List<Long>> ids =
        Requests.selectionIds(body)
            .map(Future::succeededFuture)
            .orElseGet(
                () ->
                    activities.ids(
                        admin.accountId(),
                        ActivityQuery.parse(Requests.text(body, "query").orElse("")),
                        MAX_SELECTION));
    Requests.text(body, "query").ifPresent(query -> Access.note(ctx, "query", query));
    respond(
        ctx,
        200,
        ids.compose(list -> action.apply(admin, list))
            .map(Json::outcomes)
            .map(
                outcomes -> {
                  Access.note(ctx, "applied", outcomes.getJsonArray("applied"));
                  Access.note(ctx, "refused", outcomes.getJsonArray("refused").size());
                  return outcomes;
                }));
  }

  private void settings(RoutingContext ctx) {
    respond(ctx, 200, accounts.settings(admin(ctx).accountId()).map(Json::settings));
  }

  private void updateSettings(RoutingContext ctx) {
    long accountId = admin(ctx).accountId();
    JsonObject body = Requests.body(ctx);
    respond(
        ctx,
        200,
        accounts
            .settings(accountId)
            .map(current -> Requests.settings(body, current))
            .compose(updated -> accounts.updateSettings(accountId, updated))
            .map(Json::settings)
            .map(
                shown -> {
                  Access.note(ctx, "changed", body);
                  return shown;
                }));
  }

  /** A page of the computers a query selects, with the count and the cursor of the next. */
  private void listComputers(RoutingContext ctx) {
    ComputerPage page = Requests.computerPage(ctx, maxOffset);
    ComputerQuery query =
        selection.parse(Optional.ofNullable(ctx.queryParams().get("query")).orElse(""));
    respond(
        ctx,
        200,
        computers
            .list(admin(ctx).accountId(), query, page)
            .map(found -> Json.computers(page, found, channelHeld)));
  }

  private void updateComputer(RoutingContext ctx) {
    Requests.ComputerChanges changes = Requests.computerChanges(Requests.body(ctx));
    respond(
        ctx,
        200,
        edits
            .update(
                admin(ctx).accountId(), Requests.pathId(ctx, "id"), changes.title(), changes.tags())
            .map(c -> Json.computer(c, channelHeld)));
  }

  /** Tags added to and removed from the computers a query selects. */
  private void retag(RoutingContext ctx) {
    Requests.Retag request = Requests.retag(Requests.body(ctx));
    respond(
        ctx,
        200,
        edits
            .retag(
                admin(ctx).accountId(),
                selection.parse(request.query()),
                request.add(),
                request.remove())
            .map(
                done ->
                    new JsonObject()
                        .put("selected", done.selected())
                        .put("changed", done.changed())));
  }

  private void getComputer(RoutingContext ctx) {
    respond(
        ctx,
        200,
        computers
            .find(admin(ctx).accountId(), Requests.pathId(ctx, "id"))
            .compose(
                c ->
                    inventory
                        .reports(c)
                        .map(reports -> Json.computerInventory(c, channelHeld, reports))));
  }

  /** The users and groups the computer's client reported. */
  private void computerUsers(RoutingContext ctx) {
    respond(
        ctx,
        200,
        inventory.users(admin(ctx).accountId(), Requests.pathId(ctx, "id")).map(Json::users));
  }

  private void quarantined(RoutingContext ctx) {
    int limit = Requests.intParam(ctx, "limit", 100, 1, 1000);
    Optional<Long> before =
        Optional.ofNullable(ctx.request().getParam("before"))
            .map(raw -> (long) Requests.intParam(ctx, "before", 0, 1, Integer.MAX_VALUE));
    respond(
        ctx,
        200,
        computers
            .quarantined(admin(ctx).accountId(), Requests.pathId(ctx, "id"), limit, before)
            .map(
                list ->
                    new JsonObject()
                        .put(
                            "results",
                            new JsonArray(list.stream().map(Json::quarantined).toList()))));
  }

  static Admin admin(RoutingContext ctx) {
    return ctx.get(ADMIN);
  }

  /** Who the gate found the request to come from. */
  static void signedIn(RoutingContext ctx, Admin admin) {
    ctx.put(ADMIN, admin);
  }

  static void respond(RoutingContext ctx, int status, Future<JsonObject> result) {
    respondBytes(ctx, status, result.map(JsonObject::toBuffer));
  }

  static void respondBytes(RoutingContext ctx, int status, Future<Buffer> result) {
    result
        .onSuccess(
            json ->
                ctx.response()
                    .setStatusCode(status)
                    .putHeader("Content-Type", "application/json")
                    .end(json))
        .onFailure(ctx::fail);
  }
}
