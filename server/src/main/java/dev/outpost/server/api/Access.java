package dev.outpost.server.api;

import dev.outpost.common.error.OutpostException;
import dev.outpost.server.account.Admin;
import dev.outpost.server.account.AuditLog;
import dev.outpost.server.account.Permission;
import dev.outpost.server.http.Gate;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who may call which route of {@code /api/v2}, declared with the route: each is registered through
 * {@link #route} with the {@link Permission} it asks and, for what changes anything, the name of
 * the action the audit log records. The declaration is the route's metadata, so the server refuses
 * to start with a route of the API that declares none ({@link #checkDeclared}), and a route that
 * somehow runs without one is refused (403) to everybody.
 */
public final class Access {

  /** The route metadata key of the permission a route asks. */
  public static final String PERMISSION = "outpost.permission";

  /** The route metadata key of the action the audit log records for a route. */
  public static final String ACTION = "outpost.action";

  /** The prefix of the routes whose access is declared. */
  public static final String API = "/api/v2/";

  private static final String DETAILS = "outpost.audit.details";
  private static final String ACTION_OVERRIDE = "outpost.audit.action";
  private static final String WHO = "outpost.audit.who";

  private final AuditLog audit;
  private final Clock clock;

  /** Records actions in {@code audit}, stamped by {@code clock}. */
  public Access(AuditLog audit, Clock clock) {
    this.audit = audit;
    this.clock = clock;
  }

  /** A read: GET, recorded nowhere. */
  Route get(Router router, String path, Permission permission) {
    return route(router, HttpMethod.GET, path, permission, null);
  }

  /**
   * Declares a route: its permission, and the audit action of what it changes (null for a read);
   * the caller adds its handler.
   */
  Route route(Router router, HttpMethod method, String path, Permission permission, String action) {
    Route route = router.route(method, path).putMetadata(PERMISSION, permission);
    if (action != null) {
      route.putMetadata(ACTION, action);
    }
    return route.handler(this::guard);
  }

  /**
   * Lets the caller on when its roles grant what the route asks, else 403; a route of the API that
   * declares nothing is refused. Whatever the outcome, an action is recorded once answered.
   */
  private void guard(RoutingContext ctx) {
    Route route = ctx.currentRoute();
    Permission permission = route == null ? null : route.getMetadata(PERMISSION);
    String action = route == null ? null : route.getMetadata(ACTION);
    if (action != null) {
      ctx.addEndHandler(done -> record(ctx, action));
    }
    if (permission == null) {
      ctx.fail(OutpostException.forbidden("this route declares no permission: nobody may call it"));
      return;
    }
    if (permission != Permission.PUBLIC) {
      Admin admin = AdminApi.admin(ctx);
      if (admin == null) {
        ctx.fail(OutpostException.unauthorized("sign in first"));
        return;
      }
      if (!admin.may(permission)) {
        ctx.fail(
            OutpostException.forbidden(
                "the token's roles ("
                    + String.join(
                        ", ", admin.roles().stream().sorted().map(r -> r.wireName()).toList())
                    + ") do not allow "
                    + ctx.request().method()
                    + " "
                    + ctx.request().path()
                    + ", which asks the "
                    + permission.name().toLowerCase(java.util.Locale.ROOT)
                    + " permission"));
        return;
      }
    }
    ctx.next();
  }

  /** Adds what an action named or made to its audit entry. */
  static void note(RoutingContext ctx, String key, Object value) {
    JsonObject details = ctx.get(DETAILS);
    if (details == null) {
      details = new JsonObject();
      ctx.put(DETAILS, details);
    }
    details.put(key, value);
  }

  /** Records the action under another name than the route's (a failed sign-in). */
  static void action(RoutingContext ctx, String action) {
    ctx.put(ACTION_OVERRIDE, action);
  }

  /** Who an action of nobody signed in concerned (a sign-in): the account and administrator. */
  record Who(Optional<Long> accountId, Optional<Long> administratorId, Optional<String> email) {}

  static void who(RoutingContext ctx, Who who) {
    ctx.put(WHO, who);
  }

  private void record(RoutingContext ctx, String declared) {
    JsonObject details = new JsonObject();
    ctx.pathParams().forEach(details::put);
    JsonObject noted = ctx.get(DETAILS);
    if (noted != null) {
      details.mergeIn(noted);
    }
    String action = Optional.ofNullable((String) ctx.get(ACTION_OVERRIDE)).orElse(declared);
    Admin admin = AdminApi.admin(ctx);
    String method = ctx.request().method().name();
    String path = ctx.request().path();
    int status = ctx.response().getStatusCode();
    String source = Gate.source(ctx);
    if (admin != null) {
      audit.record(
          AuditLog.Entry.of(admin, clock.instant(), source, action, method, path, status, details));
      return;
    }
    Who who =
        Optional.ofNullable((Who) ctx.get(WHO))
            .orElse(new Who(Optional.empty(), Optional.empty(), Optional.empty()));
    audit.record(
        new AuditLog.Entry(
            who.accountId(),
            clock.instant(),
            who.administratorId(),
            who.email(),
            Optional.empty(),
            Optional.empty(),
            source,
            action,
            Optional.of(method),
            Optional.of(path),
            status,
            details));
  }

  /**
   * Refuses a router holding a route of the API that declares no permission: the server does not
   * start with one.
   *
   * @throws IllegalStateException naming every such route
   */
  public static void checkDeclared(Router router) {
    List<String> undeclared = new ArrayList<>();
    for (Route route : router.getRoutes()) {
      if (isApiRoute(route) && route.getMetadata(PERMISSION) == null) {
        undeclared.add(route.methods() + " " + route.getPath());
      }
    }
    if (!undeclared.isEmpty()) {
      throw new IllegalStateException(
          "routes of the admin API declare no permission: " + undeclared);
    }
  }

  /** Whether a route is one of the API's own (the gate, which takes every method, is not). */
  public static boolean isApiRoute(Route route) {
    return route.getPath() != null
        && route.getPath().startsWith(API)
        && route.methods() != null
        && !route.methods().isEmpty();
  }
}
