package dev.outpost.server.auth;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import dev.outpost.server.account.Permission;
import dev.outpost.server.account.Role;
import dev.outpost.server.api.Access;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every route of {@code /api/v2} under every role, taken from the running server's router: a route
 * added later is in the matrix without anyone writing it down, and one that declares no permission
 * fails it.
 */
@ExtendWith(VertxExtension.class)
class RoleMatrixTest {

  private static ServerFixture fx;
  private static final Map<Role, String> TOKENS = new EnumMap<>(Role.class);

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx);
    for (Role role : Role.values()) {
      JsonObject created =
          fx.post(
                  "/tokens",
                  new JsonObject()
                      .put("name", "matrix " + role.wireName())
                      .put("roles", new JsonArray().add(role.wireName())))
              .bodyAsJsonObject();
      TOKENS.put(role, created.getString("secret"));
    }
  }

  @AfterAll
  static void stop() {
    TestSupport.endActivities(fx.server.pool(), fx.accountId);
    fx.close();
  }

  /**
   * Verifies that each route of the API answers each role as its declared permission says: 403 when
   * the role does not grant it, anything but 401 and 403 when it does (the request names nothing
   * that exists, so an allowed call ends in 400 or 404 and changes nothing).
   */
  @Test
  void everyRouteUnderEveryRoleIsAllowedOrForbidden(Vertx vertx) {
    HttpClient client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(fx.server.httpPort())
                .setKeepAlive(false));
    List<String> wrong = new ArrayList<>();
    int checked = 0;
    try {
      for (Route route : fx.server.router().getRoutes()) {
        if (!Access.isApiRoute(route)) {
          continue;
        }
        Permission permission = route.getMetadata(Access.PERMISSION);
        assertThat(permission)
            .as("the permission %s %s declares", route.methods(), route.getPath())
            .isNotNull();
        for (HttpMethod method : route.methods()) {
          String path = concrete(route.getPath());
          for (Role role : Role.values()) {
            int status = await(status(client, method, path, TOKENS.get(role)));
            boolean allowed = Role.grant(Set.of(role), permission);
            boolean ok = allowed ? status != 401 && status != 403 : status == 403;
            if (!ok) {
              wrong.add(
                  method
                      + " "
                      + path
                      + " as "
                      + role.wireName()
                      + ": "
                      + status
                      + " ("
                      + permission
                      + ")");
            }
            checked++;
          }
        }
      }
    } finally {
      client.close();
    }
    assertThat(wrong).isEmpty();
    // the API has far more routes than this: a router that lost them would pass vacuously
    assertThat(checked).isGreaterThan(50 * Role.values().length);
  }

  /** Verifies that a route of the API that declares no permission stops the server's start. */
  @Test
  void aRouteWithoutPermissionIsRefused(Vertx vertx) {
    Router router = Router.router(vertx);
    router.get("/api/v2/forgotten").handler(ctx -> ctx.end());
    assertThatThrownBy(() -> Access.checkDeclared(router))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("/api/v2/forgotten");
  }

  /** The route's path with its parameters naming nothing that exists. */
  private static String concrete(String path) {
    return path.replace(":file", "999999999.csv").replaceAll(":[a-z_]+", "999999999");
  }

  /** The status of one request, the connection closed at once (an event stream never ends). */
  private static Future<Integer> status(
      HttpClient client, HttpMethod method, String path, String token) {
    return client
        .request(method, path)
        .compose(
            request -> {
              request.putHeader("Authorization", "Bearer " + token);
              boolean body = method != HttpMethod.GET && method != HttpMethod.HEAD;
              if (body) {
                request.putHeader("Content-Type", "application/json");
              }
              return (body ? request.send("{}") : request.send())
                  .map(
                      response -> {
                        int status = response.statusCode();
                        response.request().connection().close();
                        return status;
                      });
            });
  }
}
