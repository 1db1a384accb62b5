package dev.outpost.server.api;

import dev.outpost.server.account.Permission;
import dev.outpost.server.packages.PackageLists;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * A computer's packages, as its package reports keep them: {@code GET
 * /api/v2/computers/{id}/packages?query=name:NAME status:STATUS}, paged by {@code limit} and {@code
 * offset}, ordered by name.
 */
public final class PackagesApi {

  private final PackageLists lists;
  private final Access access;
  private final int maxOffset;

  /** The route over the package lists, its permission declared through {@code access}. */
  public PackagesApi(PackageLists lists, Access access, int maxOffset) {
    this.lists = lists;
    this.access = access;
    this.maxOffset = maxOffset;
  }

  /** Mounts the route. */
  public void mount(Router router) {
    access
        .get(router, Access.API + "computers/:id/packages", Permission.READ)
        .handler(this::packages);
  }

  private void packages(RoutingContext ctx) {
    PackageLists.Query query =
        PackageLists.Query.parse(Optional.ofNullable(ctx.queryParams().get("query")).orElse(""));
    int limit = Requests.intParam(ctx, "limit", 100, 1, 1000);
    int offset = Requests.intParam(ctx, "offset", 0, 0, maxOffset);
    AdminApi.respond(
        ctx,
        200,
        lists
            .page(AdminApi.admin(ctx).accountId(), Requests.pathId(ctx, "id"), query, limit, offset)
            .map(PackagesApi::json));
  }

  private static JsonObject json(PackageLists.Page page) {
    JsonArray results = new JsonArray();
    for (PackageLists.Listed p : page.packages()) {
      JsonObject item =
          new JsonObject()
              .put("id", p.id())
              .put("name", p.name())
              .put("version", p.version())
              .put("installed", p.installed())
              .put("available", p.available())
              .put("upgradable", p.upgradable())
              .put("held", p.held());
      p.section().ifPresent(s -> item.put("section", s));
      p.summary().ifPresent(s -> item.put("summary", s));
      p.size().ifPresent(s -> item.put("size", s));
      results.add(item);
    }
    return new JsonObject().put("count", page.count()).put("results", results);
  }
}
