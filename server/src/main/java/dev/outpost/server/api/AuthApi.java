package dev.outpost.server.api;

import dev.outpost.common.error.OutpostException;
import dev.outpost.server.account.AccountStore;
import dev.outpost.server.account.Admin;
import dev.outpost.server.account.Administrator;
import dev.outpost.server.account.AdministratorStore;
import dev.outpost.server.account.AuditLog;
import dev.outpost.server.account.Passwords;
import dev.outpost.server.account.Permission;
import dev.outpost.server.account.Role;
import dev.outpost.server.account.Token;
import dev.outpost.server.http.FailedAttempts;
import dev.outpost.server.http.Gate;
import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Who calls the admin API, and what they may do: the check of credentials every request of {@code
 * /api/v2} passes first (a bearer token, or a session cookie guarded against cross-site requests),
 * signing in and out, administrators, tokens, and the audit log.
 */
public final class AuthApi {

  /** The session cookie's name. */
  public static final String SESSION_COOKIE = "outpost_session";

  /** The header that marks a cookie-authenticated request as the console's own. */
  public static final String CSRF_HEADER = "X-Outpost-CSRF";

  static final String LOGIN = "/api/v2/login";

  private static final int MAX_NAME = 200;
  private static final int MAX_EMAIL = 254;

  private final AccountStore accounts;
  private final AdministratorStore administrators;
  private final Passwords passwords;
  private final AuditLog audit;
  private final FailedAttempts failedAttempts;
  private final Access access;
  private final Clock clock;
  private final Duration sessionLifetime;

  /**
   * The API over the stores; sessions last {@code sessionLifetime}; failed credentials count as
   * {@code failedAttempts}.
   */
  public AuthApi(
      AccountStore accounts,
      AdministratorStore administrators,
      Passwords passwords,
      AuditLog audit,
      FailedAttempts failedAttempts,
      Access access,
      Clock clock,
      Duration sessionLifetime) {
    this.accounts = accounts;
    this.administrators = administrators;
    this.passwords = passwords;
    this.audit = audit;
    this.failedAttempts = failedAttempts;
    this.access = access;
    this.clock = clock;
    this.sessionLifetime = sessionLifetime;
  }

  /** Mounts the check of credentials, made before a request's body is read. */
  public void gate(Router router) {
    router.route("/api/v2/*").handler(this::authenticate);
  }

  /** Mounts the routes; the caller has installed a body handler after the {@link #gate}. */
  public void mount(Router router) {
    access.route(router, HttpMethod.POST, LOGIN, Permission.PUBLIC, "login").handler(this::login);
    access
        .route(router, HttpMethod.POST, "/api/v2/logout", Permission.SIGNED_IN, "logout")
        .handler(this::logout);
    access.get(router, "/api/v2/me", Permission.SIGNED_IN).handler(this::me);
    access
        .route(router, HttpMethod.POST, "/api/v2/me/password", Permission.SIGNED_IN, "password")
        .handler(this::changePassword);
    access
        .route(router, HttpMethod.POST, "/api/v2/tokens", Permission.SIGNED_IN, "token.create")
        .handler(this::createToken);
    access.get(router, "/api/v2/tokens", Permission.SIGNED_IN).handler(this::listTokens);
    access
        .route(
            router, HttpMethod.DELETE, "/api/v2/tokens/:id", Permission.SIGNED_IN, "token.revoke")
        .handler(this::revokeToken);
    access
        .route(
            router,
            HttpMethod.POST,
            "/api/v2/administrators",
            Permission.ADMINISTER,
            "administrator.create")
        .handler(this::createAdministrator);
    access
        .get(router, "/api/v2/administrators", Permission.ADMINISTER)
        .handler(this::listAdministrators);
    access
        .get(router, "/api/v2/administrators/:id", Permission.ADMINISTER)
        .handler(this::getAdministrator);
    access
        .route(
            router,
            HttpMethod.PATCH,
            "/api/v2/administrators/:id",
            Permission.ADMINISTER,
            "administrator.update")
        .handler(this::updateAdministrator);
    access.get(router, "/api/v2/audit", Permission.ADMINISTER).handler(this::auditLog);
  }

  // ---- the gate

  private void authenticate(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (path.equals(LOGIN) || path.equals(LOGIN + "/")) {
      ctx.next(); // signing in: its small body is read as any unauthenticated one
      return;
    }
    String source = Gate.source(ctx);
    String header = ctx.request().getHeader("Authorization");
    if (header != null) {
      if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        ctx.fail(OutpostException.unauthorized("send 'Authorization: Bearer <admin token>'"));
        return;
      }
      String token = header.substring(7).strip();
      Optional<String> account = claimedAccount(token);
      failedAttempts.check(source, account);
      Gate.hold(ctx);
      accounts
          .authenticate(token, false)
          .onSuccess(admin -> admit(ctx, admin))
          .onFailure(
              failure -> {
                if (failure instanceof OutpostException e && e.status() == 401) {
                  failedAttempts.failed(source, account, FailedAttempts.Kind.TOKEN);
                }
                Gate.refuse(ctx, failure);
              });
      return;
    }
    Cookie cookie = ctx.request().getCookie(SESSION_COOKIE);
    if (cookie == null) {
      ctx.fail(
          OutpostException.unauthorized(
              "send 'Authorization: Bearer <admin token>', or sign in at " + LOGIN));
      return;
    }
    failedAttempts.check(source);
    if (!safe(ctx.request().method()) && !sameOrigin(ctx)) {
      ctx.fail(
          OutpostException.forbidden(
              "a request signed in by cookie that changes anything must come from the server's own"
                  + " origin (Origin) or carry "
                  + CSRF_HEADER));
      return;
    }
    Gate.hold(ctx);
    accounts
        .authenticate(cookie.getValue(), true)
        .onSuccess(admin -> admit(ctx, admin))
        .onFailure(
            failure -> {
              if (failure instanceof OutpostException e && e.status() == 401) {
                failedAttempts.failed(source, Optional.empty(), FailedAttempts.Kind.SESSION);
              }
              Gate.refuse(ctx, failure);
            });
  }

  private static void admit(RoutingContext ctx, Admin admin) {
    AdminApi.signedIn(ctx, admin);
    Gate.admit(ctx);
  }

  private static boolean safe(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
  }

  /**
   * Whether a cookie-authenticated request comes from the server's own pages: it carries the
   * console's header (which a cross-site page cannot send without a CORS preflight this server
   * never grants), or an Origin naming the host it was sent to.
   */
  private static boolean sameOrigin(RoutingContext ctx) {
    if (ctx.request().getHeader(CSRF_HEADER) != null) {
      return true;
    }
    String origin = ctx.request().getHeader("Origin");
    String host = ctx.request().getHeader("Host");
    if (origin == null || host == null) {
      return false;
    }
    String lower = origin.toLowerCase(Locale.ROOT);
    String own = host.toLowerCase(Locale.ROOT);
    return lower.equals("http://" + own) || lower.equals("https://" + own);
  }

  /** The account a token's secret claims, as failed attempts count it. */
  private static Optional<String> claimedAccount(String token) {
    return AdministratorStore.claimedAccount(token).map(id -> "id:" + id);
  }

  // ---- signing in and out

  private void login(RoutingContext ctx) {
    JsonObject body = Requests.body(ctx);
    Requests.known(body, Set.of("account", "email", "password", "token"));
    String source = Gate.source(ctx);
    Optional<String> token = Requests.text(body, "token");
    Future<JsonObject> answer;
    if (token.isPresent()) {
      if (body.containsKey("email") || body.containsKey("password")) {
        throw OutpostException.badRequest("sign in with a 'token', or an 'email' and 'password'");
      }
      answer = tokenLogin(ctx, token.get(), source);
    } else {
      String email =
          Requests.text(body, "email")
              .orElseThrow(
                  () ->
                      OutpostException.badRequest(
                          "sign in with 'email' and 'password', or with a 'token'"));
      String password =
          Requests.text(body, "password")
              .orElseThrow(() -> OutpostException.badRequest("missing field 'password'"));
      answer = passwordLogin(ctx, Requests.text(body, "account"), email, password, source);
    }
    answer
        .onSuccess(
            json ->
                ctx.response()
                    .setStatusCode(200)
                    .putHeader("Content-Type", "application/json")
                    .end(json.toBuffer()))
        .onFailure(
            failure -> {
              if (failure instanceof OutpostException e && e.status() == 401) {
                Access.action(ctx, "login.failed");
              }
              ctx.fail(failure);
            });
  }

  private Future<JsonObject> tokenLogin(RoutingContext ctx, String token, String source) {
    Optional<String> account = claimedAccount(token);
    failedAttempts.check(source, account);
    return accounts
        .authenticate(token, false)
        .recover(
            failure -> {
              if (failure instanceof OutpostException e && e.status() == 401) {
                failedAttempts.failed(source, account, FailedAttempts.Kind.TOKEN);
                return Future.failedFuture(
                    OutpostException.unauthorized(
                        "the token is not valid (unknown, revoked or expired)"));
              }
              return Future.failedFuture(failure);
            })
        .compose(
            admin -> {
              AdminApi.signedIn(ctx, admin);
              return administrators
                  .openSession(
                      admin.accountId(),
                      admin.administratorId(),
                      Optional.of(admin.roles()),
                      sessionLifetime,
                      Optional.of(admin),
                      source)
                  .map(
                      secret ->
                          session(
                              ctx,
                              secret,
                              admin.accountId(),
                              admin.administratorId(),
                              admin.email(),
                              admin.roles(),
                              admin.expiresAt()));
            });
  }

  private Future<JsonObject> passwordLogin(
      RoutingContext ctx, Optional<String> account, String email, String password, String source) {
    Optional<String> key = Optional.of("email:" + email.toLowerCase(Locale.ROOT));
    failedAttempts.check(source, key);
    Access.who(ctx, new Access.Who(Optional.empty(), Optional.empty(), Optional.of(email)));
    return administrators
        .candidate(account, email)
        .compose(
            candidate -> {
              candidate.ifPresent(
                  c ->
                      Access.who(
                          ctx,
                          new Access.Who(
                              Optional.of(c.accountId()),
                              Optional.of(c.id()),
                              Optional.of(email))));
              return passwords
                  .verify(password, candidate.flatMap(c -> c.passwordHash()).orElse(null))
                  .compose(
                      right -> {
                        if (!right) {
                          failedAttempts.failed(source, key, FailedAttempts.Kind.PASSWORD);
                          return Future.failedFuture(
                              OutpostException.unauthorized("wrong email or password"));
                        }
                        AdministratorStore.Candidate c = candidate.get();
                        return administrators
                            .find(c.accountId(), c.id())
                            .compose(
                                found ->
                                    administrators
                                        .openSession(
                                            c.accountId(),
                                            c.id(),
                                            Optional.empty(),
                                            sessionLifetime,
                                            Optional.empty(),
                                            source)
                                        .map(
                                            secret ->
                                                session(
                                                    ctx,
                                                    secret,
                                                    c.accountId(),
                                                    c.id(),
                                                    found.email(),
                                                    found.roles(),
                                                    Optional.empty())));
                      });
            });
  }

  /** Sets the session cookie, and answers who signed in until when. */
  private JsonObject session(
      RoutingContext ctx,
      String secret,
      long accountId,
      long administratorId,
      String email,
      Set<Role> roles,
      Optional<Instant> tokenExpires) {
    Instant expires = clock.instant().plus(sessionLifetime);
    if (tokenExpires.isPresent() && tokenExpires.get().isBefore(expires)) {
      expires = tokenExpires.get();
    }
    long maxAge = Math.max(1, Duration.between(clock.instant(), expires).toSeconds());
    ctx.response()
        .addCookie(
            Cookie.cookie(SESSION_COOKIE, secret)
                .setPath("/api/v2")
                .setHttpOnly(true)
                .setSecure(true)
                .setSameSite(CookieSameSite.STRICT)
                .setMaxAge(maxAge));
    Access.who(
        ctx,
        new Access.Who(Optional.of(accountId), Optional.of(administratorId), Optional.of(email)));
    return new JsonObject()
        .put("administrator_id", administratorId)
        .put("email", email)
        .put("roles", roles(roles))
        .put("expires_at", expires.toString());
  }

  private void logout(RoutingContext ctx) {
    Admin admin = AdminApi.admin(ctx);
    Future<Void> ended =
        admin.session() ? administrators.closeSession(admin.tokenId()) : Future.succeededFuture();
    ended
        .onSuccess(
            done -> {
              ctx.response()
                  .addCookie(
                      Cookie.cookie(SESSION_COOKIE, "")
                          .setPath("/api/v2")
                          .setHttpOnly(true)
                          .setSecure(true)
                          .setSameSite(CookieSameSite.STRICT)
                          .setMaxAge(0));
              ctx.response().setStatusCode(204).end();
            })
        .onFailure(ctx::fail);
  }

  private void me(RoutingContext ctx) {
    Admin admin = AdminApi.admin(ctx);
    AdminApi.respond(
        ctx,
        200,
        administrators
            .find(admin.accountId(), admin.administratorId())
            .map(
                found ->
                    administrator(found)
                        .put(
                            "token",
                            new JsonObject()
                                .put("id", admin.tokenId())
                                .put("name", admin.tokenName())
                                .put("session", admin.session())
                                .put("roles", roles(admin.roles()))
                                .put(
                                    "expires_at",
                                    admin.expiresAt().map(Instant::toString).orElse(null)))));
  }

  private void changePassword(RoutingContext ctx) {
    Admin admin = AdminApi.admin(ctx);
    JsonObject body = Requests.body(ctx);
    Requests.known(body, Set.of("current", "password"));
    String current =
        Requests.text(body, "current")
            .orElseThrow(() -> OutpostException.badRequest("missing field 'current'"));
    String password =
        Passwords.checked(
            Requests.text(body, "password")
                .orElseThrow(() -> OutpostException.badRequest("missing field 'password'")));
    String source = Gate.source(ctx);
    Optional<String> key = Optional.of("email:" + admin.email().toLowerCase(Locale.ROOT));
    failedAttempts.check(source, key);
    administrators
        .candidate(Optional.empty(), admin.email())
        .recover(ambiguous -> Future.succeededFuture(Optional.empty()))
        .compose(
            candidate ->
                passwords.verify(
                    current,
                    candidate
                        .filter(c -> c.id() == admin.administratorId())
                        .flatMap(AdministratorStore.Candidate::passwordHash)
                        .orElse(null)))
        .compose(
            right -> {
              if (!right) {
                failedAttempts.failed(source, key, FailedAttempts.Kind.PASSWORD);
                return Future.failedFuture(
                    OutpostException.forbidden("the current password is wrong"));
              }
              return passwords.hashLater(password);
            })
        .compose(
            hash ->
                administrators.update(
                    admin.accountId(),
                    admin.administratorId(),
                    new AdministratorStore.Changes(
                        Optional.empty(), Optional.empty(), Optional.of(hash), Optional.empty())))
        .onSuccess(done -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  // ---- tokens

  private void createToken(RoutingContext ctx) {
    Admin admin = AdminApi.admin(ctx);
    JsonObject body = Requests.body(ctx);
    Requests.known(body, Set.of("name", "roles", "expires_at", "administrator_id"));
    String name = name(body, "name");
    Optional<Set<Role>> given = Requests.strings(body, "roles", false).map(AuthApi::roleSet);
    long owner =
        Optional.ofNullable(body.getValue("administrator_id"))
            .map(
                id -> {
                  if (!(id instanceof Integer || id instanceof Long)) {
                    throw OutpostException.badRequest("'administrator_id' must be an id");
                  }
                  return ((Number) id).longValue();
                })
            .orElse(admin.administratorId());
    boolean own = owner == admin.administratorId();
    if (!own && !admin.may(Permission.ADMINISTER)) {
      throw OutpostException.forbidden("only the admin role makes tokens for others");
    }
    // left out: one's own token has the roles of the token making it; another's (made by an
    // admin, who holds them all), every role of its administrator
    Optional<Set<Role>> roles = given.or(() -> own ? Optional.of(admin.roles()) : Optional.empty());
    roles.ifPresent(
        wanted -> {
          Set<Role> beyond = EnumSet.noneOf(Role.class);
          beyond.addAll(wanted);
          beyond.removeAll(Role.coveredOf(admin.roles(), wanted));
          if (!beyond.isEmpty()) {
            throw OutpostException.forbidden(
                "a token gives at most the roles of the token that makes it, and this one does not"
                    + " hold "
                    + roles(beyond).encode());
          }
          if (wanted.isEmpty()) {
            throw OutpostException.badRequest("a token needs at least one role");
          }
        });
    Optional<Instant> expires = Requests.text(body, "expires_at").map(AuthApi::instant);
    if (expires.isPresent() && !expires.get().isAfter(clock.instant())) {
      throw OutpostException.badRequest("'expires_at' must be in the future");
    }
    AdminApi.respond(
        ctx,
        201,
        administrators
            .createToken(
                admin.accountId(), owner, name, roles, expires, admin.email(), Gate.source(ctx))
            .map(
                created -> {
                  Access.note(ctx, "token_id", created.token().id());
                  Access.note(ctx, "name", name);
                  roles.ifPresent(r -> Access.note(ctx, "roles", roles(r)));
                  return token(created.token()).put("secret", created.secret());
                }));
  }

  private void listTokens(RoutingContext ctx) {
    Admin admin = AdminApi.admin(ctx);
    AdminApi.respond(
        ctx,
        200,
        administrators
            .tokens(
                admin.accountId(),
                admin.may(Permission.ADMINISTER)
                    ? Optional.empty()
                    : Optional.of(admin.administratorId()))
            .map(list -> results(list.stream().map(AuthApi::token).toList())));
  }

  private void revokeToken(RoutingContext ctx) {
    Admin admin = AdminApi.admin(ctx);
    administrators
        .revokeToken(
            admin.accountId(),
            Requests.pathId(ctx, "id"),
            admin.may(Permission.ADMINISTER)
                ? Optional.empty()
                : Optional.of(admin.administratorId()))
        .onSuccess(
            name -> {
              Access.note(ctx, "name", name);
              ctx.response().setStatusCode(204).end();
            })
        .onFailure(ctx::fail);
  }

  // ---- administrators

  private void createAdministrator(RoutingContext ctx) {
    Admin admin = AdminApi.admin(ctx);
    JsonObject body = Requests.body(ctx);
    Requests.known(body, Set.of("email", "name", "roles", "password"));
    String email = email(body);
    String name = Requests.text(body, "name").isPresent() ? name(body, "name") : email;
    Set<Role> roles =
        roleSet(
            Requests.strings(body, "roles", false)
                .orElseThrow(() -> OutpostException.badRequest("missing field 'roles'")));
    Optional<String> password = Requests.text(body, "password").map(Passwords::checked);
    Access.note(ctx, "email", email);
    Access.note(ctx, "roles", roles(roles));
    Future<Optional<String>> hash =
        password.isPresent()
            ? passwords.hashLater(password.get()).map(Optional::of)
            : Future.succeededFuture(Optional.empty());
    AdminApi.respond(
        ctx,
        201,
        hash.compose(h -> administrators.create(admin.accountId(), email, name, roles, h))
            .map(
                created -> {
                  Access.note(ctx, "administrator_id", created.id());
                  return administrator(created);
                }));
  }

  private void listAdministrators(RoutingContext ctx) {
    AdminApi.respond(
        ctx,
        200,
        administrators
            .list(AdminApi.admin(ctx).accountId())
            .map(list -> results(list.stream().map(AuthApi::administrator).toList())));
  }

  private void getAdministrator(RoutingContext ctx) {
    AdminApi.respond(
        ctx,
        200,
        administrators
            .find(AdminApi.admin(ctx).accountId(), Requests.pathId(ctx, "id"))
            .map(AuthApi::administrator));
  }

  private void updateAdministrator(RoutingContext ctx) {
    Admin admin = AdminApi.admin(ctx);
    JsonObject body = Requests.body(ctx);
    Requests.known(body, Set.of("name", "roles", "password", "disabled"));
    Optional<String> name =
        Requests.text(body, "name").isPresent()
            ? Optional.of(name(body, "name"))
            : Optional.empty();
    Optional<Set<Role>> roles = Requests.strings(body, "roles", false).map(AuthApi::roleSet);
    roles.ifPresent(
        r -> {
          if (r.isEmpty()) {
            throw OutpostException.badRequest("an administrator needs at least one role");
          }
        });
    Optional<String> password = Requests.text(body, "password").map(Passwords::checked);
    Object disabled = body.getValue("disabled");
    if (disabled != null && !(disabled instanceof Boolean)) {
      throw OutpostException.badRequest("field 'disabled' must be a boolean");
    }
    roles.ifPresent(r -> Access.note(ctx, "roles", roles(r)));
    name.ifPresent(n -> Access.note(ctx, "name", n));
    password.ifPresent(p -> Access.note(ctx, "password", "changed"));
    if (disabled != null) {
      Access.note(ctx, "disabled", disabled);
    }
    Future<Optional<String>> hash =
        password.isPresent()
            ? passwords.hashLater(password.get()).map(Optional::of)
            : Future.succeededFuture(Optional.empty());
    AdminApi.respond(
        ctx,
        200,
        hash.compose(
                h ->
                    administrators.update(
                        admin.accountId(),
                        Requests.pathId(ctx, "id"),
                        new AdministratorStore.Changes(
                            name, roles, h, Optional.ofNullable((Boolean) disabled))))
            .map(AuthApi::administrator));
  }

  // ---- the audit log

  private void auditLog(RoutingContext ctx) {
    Requests.KeyPage asked = Requests.keyPage(ctx);
    String query = Optional.ofNullable(ctx.queryParams().get("query")).orElse("");
    var parsed = AuditLog.parse(query);
    AdminApi.respond(
        ctx,
        200,
        audit
            .list(AdminApi.admin(ctx).accountId(), parsed, asked.limit() + 1, asked.before())
            .map(page -> Json.keyPage(page, asked.limit(), AuthApi::entry, e -> e.id())));
  }

  // ---- JSON

  private static JsonObject results(List<JsonObject> list) {
    return new JsonObject().put("results", new JsonArray(list));
  }

  private static JsonArray roles(Set<Role> roles) {
    return new JsonArray(roles.stream().sorted().map(Role::wireName).toList());
  }

  private static JsonObject administrator(Administrator a) {
    return new JsonObject()
        .put("id", a.id())
        .put("email", a.email())
        .put("name", a.name())
        .put("roles", roles(a.roles()))
        .put("has_password", a.hasPassword())
        .put("created_at", a.createdAt().toString())
        .put("disabled", a.disabledAt().isPresent())
        .put("disabled_at", a.disabledAt().map(Instant::toString).orElse(null));
  }

  private static JsonObject token(Token t) {
    return new JsonObject()
        .put("id", t.id())
        .put("name", t.name())
        .put("administrator_id", t.administratorId())
        .put("administrator", t.administrator())
        .put("roles", t.roles().map(AuthApi::roles).orElse(null))
        .put("created_at", t.createdAt().toString())
        .put("expires_at", t.expiresAt().map(Instant::toString).orElse(null))
        .put("creator", t.creator().orElse(null));
  }

  private static JsonObject entry(AuditLog.Recorded r) {
    AuditLog.Entry e = r.entry();
    return new JsonObject()
        .put("id", r.id())
        .put("at", e.at().toString())
        .put("administrator_id", e.administratorId().orElse(null))
        .put("administrator", e.administrator().orElse(null))
        .put("token_id", e.tokenId().orElse(null))
        .put("token", e.token().orElse(null))
        .put("source", e.source())
        .put("action", e.action())
        .put("method", e.method().orElse(null))
        .put("path", e.path().orElse(null))
        .put("status", e.status())
        .put("details", e.details());
  }

  private static Set<Role> roleSet(List<String> names) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    names.forEach(name -> roles.add(Role.of(name)));
    return roles;
  }

  private static String name(JsonObject body, String field) {
    String name = Requests.text(body, field).orElse("").strip();
    if (name.isEmpty() || name.length() > MAX_NAME) {
      throw OutpostException.badRequest(
          "'" + field + "' must have 1 to " + MAX_NAME + " characters");
    }
    return name;
  }

  private static String email(JsonObject body) {
    String email =
        Requests.text(body, "email")
            .orElseThrow(() -> OutpostException.badRequest("missing field 'email'"))
            .strip();
    if (email.length() > MAX_EMAIL || !email.matches("[^\\s@]+@[^\\s@]+")) {
      throw OutpostException.badRequest("'" + email + "' is not an email address");
    }
    return email;
  }

  private static Instant instant(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw OutpostException.badRequest(
          "'" + text + "' is not an ISO-8601 time with an offset, such as 2030-01-01T00:00:00Z");
    }
  }
}
