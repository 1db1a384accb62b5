package dev.outpost.server.auth;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import dev.outpost.server.api.AuthApi;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Signing in with a password or a token, the session cookie, and tokens made and revoked. */
@ExtendWith(VertxExtension.class)
class AuthApiTest {

  private static final String PASSWORD = "correct horse battery staple";
  private static ServerFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx, Map.of("OUTPOST_SESSION_SECONDS", "3600"), Map.of());
  }

  @AfterAll
  static void stop() {
    TestSupport.endActivities(fx.server.pool(), fx.accountId);
    fx.close();
  }

  /**
   * Verifies that an administrator signs in with email and password and gets a session cookie that
   * is HttpOnly, Secure, SameSite=Strict and expiring, that opens the API (reads at once, changes
   * only with the console's header or the server's own Origin), and that logging out ends it.
   */
  @Test
  void aPasswordSignInOpensASessionUntilLogout() {
    String email = administrator("operator", PASSWORD);

    HttpResponse<Buffer> login =
        login(new JsonObject().put("email", email).put("password", PASSWORD));

    assertThat(login.statusCode()).as(login.bodyAsString()).isEqualTo(200);
    assertThat(login.bodyAsJsonObject().getJsonArray("roles")).containsExactly("operator");
    String setCookie = login.cookies().get(0);
    assertThat(setCookie).startsWith(AuthApi.SESSION_COOKIE + "=");
    // attribute names are case-insensitive (Netty writes HTTPOnly)
    assertThat(setCookie.toLowerCase(java.util.Locale.ROOT))
        .contains(
            "; httponly", "; secure", "; samesite=strict", "; max-age=3600", "; path=/api/v2");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));

    assertThat(
            send(withCookie(HttpMethod.GET, "/me", cookie)).bodyAsJsonObject().getString("email"))
        .isEqualTo(email);
    // a change by cookie needs proof that the server's own page sent it
    assertThat(send(withCookie(HttpMethod.POST, "/activities", cookie), script()).statusCode())
        .isEqualTo(403);
    assertThat(
            send(
                    withCookie(HttpMethod.POST, "/activities", cookie)
                        .putHeader("Origin", "https://evil.example"),
                    script())
                .statusCode())
        .isEqualTo(403);
    assertThat(
            send(
                    withCookie(HttpMethod.POST, "/activities", cookie)
                        .putHeader("Origin", "http://127.0.0.1:" + fx.server.httpPort()),
                    script())
                .statusCode())
        .isEqualTo(201);
    assertThat(
            send(
                    withCookie(HttpMethod.POST, "/activities", cookie)
                        .putHeader(AuthApi.CSRF_HEADER, "1"),
                    script())
                .statusCode())
        .isEqualTo(201);

    HttpResponse<Buffer> logout =
        send(withCookie(HttpMethod.POST, "/logout", cookie).putHeader(AuthApi.CSRF_HEADER, "1"));
    assertThat(logout.statusCode()).isEqualTo(204);
    assertThat(logout.cookies().get(0)).contains("Max-Age=0");
    eventually(10, () -> send(withCookie(HttpMethod.GET, "/me", cookie)).statusCode() == 401);
  }

  /** Verifies that a wrong password, or an unknown email, is one 401 that names neither. */
  @Test
  void aWrongPasswordIsRefused() {
    String email = administrator("viewer", PASSWORD);

    HttpResponse<Buffer> wrong =
        login(new JsonObject().put("email", email).put("password", "not the password"));
    HttpResponse<Buffer> unknown =
        login(new JsonObject().put("email", "nobody@example.com").put("password", PASSWORD));

    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(wrong.bodyAsJsonObject().getString("message"))
        .isEqualTo(unknown.bodyAsJsonObject().getString("message"));
  }

  /**
   * Verifies that a web console signs in with a token and then uses the cookie alone (EventSource
   * sends no header), with the token's roles, until the session expires.
   */
  @Test
  void aTokenSignInGivesACookieWithTheTokensRoles() {
    String viewer = token("console", "viewer", null);

    HttpResponse<Buffer> login = login(new JsonObject().put("token", viewer));

    assertThat(login.statusCode()).as(login.bodyAsString()).isEqualTo(200);
    String cookie = login.cookies().get(0).substring(0, login.cookies().get(0).indexOf(';'));
    assertThat(send(withCookie(HttpMethod.GET, "/activities", cookie)).statusCode()).isEqualTo(200);
    assertThat(
            send(
                    withCookie(HttpMethod.POST, "/activities", cookie)
                        .putHeader(AuthApi.CSRF_HEADER, "1"),
                    script())
                .statusCode())
        .isEqualTo(403);
    assertThat(login(new JsonObject().put("token", "outpost_1_" + "x".repeat(43))).statusCode())
        .isEqualTo(401);

    fx.clock.advance(Duration.ofHours(1));
    assertThat(send(withCookie(HttpMethod.GET, "/activities", cookie)).statusCode()).isEqualTo(401);
  }

  /**
   * Verifies that a token is listed without its secret, that revoking it ends it and the sessions
   * opened with it, and that tokens give no more than the token making them holds.
   */
  @Test
  void tokensAreListedRevokedAndBounded() {
    String operator = token("ops", "operator", null);
    HttpResponse<Buffer> login = login(new JsonObject().put("token", operator));
    String cookie = login.cookies().get(0).substring(0, login.cookies().get(0).indexOf(';'));

    JsonArray listed = fx.get("/tokens").bodyAsJsonObject().getJsonArray("results");
    JsonObject shown =
        listed.stream()
            .map(JsonObject.class::cast)
            .filter(t -> t.getString("name").startsWith("ops-"))
            .findFirst()
            .orElseThrow();
    assertThat(shown.containsKey("secret")).isFalse();
    assertThat(shown.getJsonArray("roles")).containsExactly("operator");

    // an operator's token makes a viewer's, never an admin's
    HttpResponse<Buffer> escalate =
        await(
            fx.http
                .post("/api/v2/tokens")
                .bearerTokenAuthentication(operator)
                .sendJsonObject(
                    new JsonObject()
                        .put("name", "more")
                        .put("roles", new JsonArray().add("admin"))));
    assertThat(escalate.statusCode()).isEqualTo(403);

    HttpResponse<Buffer> revoked =
        await(fx.api(HttpMethod.DELETE, "/tokens/" + shown.getLong("id")).send());
    assertThat(revoked.statusCode()).isEqualTo(204);

    eventually(10, () -> status(operator, "/activities") == 401);
    eventually(
        10, () -> send(withCookie(HttpMethod.GET, "/activities", cookie)).statusCode() == 401);
    assertThat(
            await(fx.api(HttpMethod.DELETE, "/tokens/" + shown.getLong("id")).send()).statusCode())
        .isEqualTo(404);
  }

  /**
   * Verifies that an expired token is refused, and that demoting its administrator takes the role
   * from the token at once.
   */
  @Test
  void expiryAndDemotionTakeEffect() {
    String email = administrator("admin", PASSWORD);
    long id = administratorId(email);
    String token = token("short", "operator", fx.clock.instant().plusSeconds(60).toString(), id);
    assertThat(status(token, "/activities")).isEqualTo(200);

    assertThat(
            fx.patch(
                    "/administrators/" + id,
                    new JsonObject().put("roles", new JsonArray().add("viewer")))
                .statusCode())
        .isEqualTo(200);
    eventually(
        10,
        () ->
            await(
                        fx.http
                            .post("/api/v2/activities")
                            .bearerTokenAuthentication(token)
                            .sendJsonObject(script()))
                    .statusCode()
                == 403);

    fx.clock.advance(Duration.ofSeconds(61));
    assertThat(status(token, "/activities")).isEqualTo(401);
  }

  // ---- helpers

  static HttpResponse<Buffer> login(JsonObject body) {
    return await(fx.http.post("/api/v2/login").sendJsonObject(body));
  }

  /** Signs in at a server with an email and a password. */
  static HttpResponse<Buffer> loginAt(ServerFixture server, String email, String password) {
    return await(
        server
            .http
            .post("/api/v2/login")
            .sendJsonObject(new JsonObject().put("email", email).put("password", password)));
  }

  private static HttpRequest<Buffer> withCookie(HttpMethod method, String path, String cookie) {
    return fx.http.request(method, "/api/v2" + path).putHeader("Cookie", cookie);
  }

  private static HttpResponse<Buffer> send(HttpRequest<Buffer> request) {
    return await(request.send());
  }

  private static HttpResponse<Buffer> send(HttpRequest<Buffer> request, JsonObject body) {
    return await(request.sendJsonObject(body));
  }

  private static int status(String token, String path) {
    return await(fx.http.get("/api/v2" + path).bearerTokenAuthentication(token).send())
        .statusCode();
  }

  private static JsonObject script() {
    return new JsonObject()
        .put("type", "ArchiveRequest")
        .put("parameters", new JsonObject().put("older_than_days", 3650))
        .put("requires_approval", true);
  }

  /** A new administrator of the fixture's account with one role and a password; its email. */
  static String administrator(String role, String password) {
    String email = TestSupport.unique(role) + "@example.com";
    HttpResponse<Buffer> created =
        fx.post(
            "/administrators",
            new JsonObject()
                .put("email", email)
                .put("roles", new JsonArray().add(role))
                .put("password", password));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return email;
  }

  private static long administratorId(String email) {
    return fx.get("/administrators").bodyAsJsonObject().getJsonArray("results").stream()
        .map(JsonObject.class::cast)
        .filter(a -> a.getString("email").equals(email))
        .findFirst()
        .orElseThrow()
        .getLong("id");
  }

  private static String token(String name, String role, String expiresAt) {
    return token(name, role, expiresAt, null);
  }

  private static String token(String name, String role, String expiresAt, Long administrator) {
    JsonObject body =
        new JsonObject()
            .put("name", name + "-" + TestSupport.unique("t"))
            .put("roles", new JsonArray(List.of(role)));
    if (expiresAt != null) {
      body.put("expires_at", expiresAt);
    }
    if (administrator != null) {
      body.put("administrator_id", administrator);
    }
    HttpResponse<Buffer> created = fx.post("/tokens", body);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getString("secret");
  }
}
