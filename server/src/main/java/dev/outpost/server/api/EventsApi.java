package dev.outpost.server.api;

import dev.outpost.common.error.OutpostException;
import dev.outpost.server.account.Permission;
import dev.outpost.server.account.Secrets;
import dev.outpost.server.activity.ActivityQuery;
import dev.outpost.server.events.EventLog;
import dev.outpost.server.events.EventStreams;
import dev.outpost.server.events.Position;
import dev.outpost.server.events.Webhook;
import dev.outpost.server.events.WebhookDelivery;
import dev.outpost.server.events.WebhookStore;
import dev.outpost.server.net.OutboundAddresses;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The event stream ({@code GET /api/v2/events}, Server-Sent Events) and webhooks ({@code
 * /api/v2/webhooks}) of the admin API, behind its token check.
 */
public final class EventsApi {

  /** The longest webhook URL. */
  static final int MAX_URL_LENGTH = 2_048;

  /** A given secret's length, in characters: long enough to be one, short enough to keep. */
  static final int MIN_SECRET = 16;

  static final int MAX_SECRET = 256;

  private static final Set<String> CREATE_FIELDS = Set.of("url", "query", "secret");
  private static final Set<String> UPDATE_FIELDS = Set.of("url", "query", "secret", "enabled");

  /** An address literal rather than a name: IPv4 digits and dots, or IPv6 (with colons). */
  private static final Pattern LITERAL = Pattern.compile("[0-9.]+|.*:.*");

  private final EventStreams streams;
  private final WebhookStore webhooks;
  private final OutboundAddresses addresses;
  private final Clock clock;
  private final int maxWebhooks;
  private final Access access;

  /**
   * The API over this instance's streams and the webhook store; webhook URLs that name an address
   * literally are checked against the outbound rule, and an account has at most {@code
   * maxWebhooks}; each route declares its permission through {@code access}.
   */
  public EventsApi(
      EventStreams streams,
      WebhookStore webhooks,
      OutboundAddresses addresses,
      Clock clock,
      int maxWebhooks,
      Access access) {
    this.access = access;
    this.streams = streams;
    this.webhooks = webhooks;
    this.addresses = addresses;
    this.clock = clock;
    this.maxWebhooks = maxWebhooks;
  }

  /** Mounts the routes; the admin API's gate has checked the token. */
  public void mount(Router router) {
    Permission administer = Permission.ADMINISTER;
    String webhooks = "/api/v2/webhooks";
    access.get(router, "/api/v2/events", Permission.READ).handler(this::stream);
    access
        .route(router, HttpMethod.POST, webhooks, administer, "webhook.create")
        .handler(this::create);
    access.get(router, webhooks, Permission.READ).handler(this::list);
    access.get(router, webhooks + "/:id", Permission.READ).handler(this::get);
    access
        .route(router, HttpMethod.PATCH, webhooks + "/:id", administer, "webhook.update")
        .handler(this::update);
    access
        .route(router, HttpMethod.DELETE, webhooks + "/:id", administer, "webhook.delete")
        .handler(this::delete);
    access.get(router, webhooks + "/:id/deliveries", Permission.READ).handler(this::deliveries);
  }

  /**
   * The account's events the query selects, as SSE, from the position the client last saw ({@code
   * Last-Event-ID}, as a reconnecting client sends it, or {@code after}) or from now on.
   */
  private void stream(RoutingContext ctx) {
    ActivityQuery query = eventQuery(Optional.ofNullable(ctx.queryParams().get("query")));
    Optional<Position> after =
        Optional.ofNullable(ctx.request().getHeader("Last-Event-ID"))
            .or(() -> Optional.ofNullable(ctx.queryParams().get("after")))
            .filter(text -> !text.isBlank())
            .map(Position::parse);
    streams.stream(ctx.response(), AdminApi.admin(ctx).accountId(), query, after)
        .onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Requests.body(ctx);
    known(body, CREATE_FIELDS);
    String url = url(Requests.text(body, "url").orElse(null));
    String query = Requests.text(body, "query").orElse("");
    eventQuery(Optional.of(query));
    Optional<String> given = Requests.text(body, "secret").map(EventsApi::secret);
    String secret = given.orElseGet(Secrets::generate);
    AdminApi.respond(
        ctx,
        201,
        webhooks
            .create(
                AdminApi.admin(ctx).accountId(), url, query, secret, clock.instant(), maxWebhooks)
            .map(
                created -> {
                  Access.note(ctx, "id", created.id());
                  Access.note(ctx, "url", url);
                  return webhook(created).put("secret", secret);
                }));
  }

  private void list(RoutingContext ctx) {
    AdminApi.respond(
        ctx,
        200,
        webhooks
            .list(AdminApi.admin(ctx).accountId())
            .map(
                all ->
                    new JsonObject()
                        .put(
                            "results",
                            new JsonArray(all.stream().map(EventsApi::webhook).toList()))));
  }

  private void get(RoutingContext ctx) {
    AdminApi.respond(
        ctx,
        200,
        webhooks
            .find(AdminApi.admin(ctx).accountId(), Requests.pathId(ctx, "id"))
            .map(EventsApi::webhook));
  }

  /** Changes what the body gives; {@code "enabled": true} starts a disabled webhook again. */
  private void update(RoutingContext ctx) {
    JsonObject body = Requests.body(ctx);
    known(body, UPDATE_FIELDS);
    Optional<String> url = Requests.text(body, "url").map(this::url);
    Optional<String> query = Requests.text(body, "query");
    query.ifPresent(q -> eventQuery(Optional.of(q)));
    Optional<String> secret = Requests.text(body, "secret").map(EventsApi::secret);
    Object enabled = body.getValue("enabled");
    if (enabled != null && !Boolean.TRUE.equals(enabled)) {
      throw OutpostException.badRequest(
          "'enabled' may only be true (a webhook is disabled by failing, and deleted with DELETE)");
    }
    AdminApi.respond(
        ctx,
        200,
        webhooks
            .update(
                AdminApi.admin(ctx).accountId(),
                Requests.pathId(ctx, "id"),
                url,
                query,
                secret,
                enabled != null)
            .map(EventsApi::webhook));
  }

  private void delete(RoutingContext ctx) {
    webhooks
        .delete(AdminApi.admin(ctx).accountId(), Requests.pathId(ctx, "id"))
        .onSuccess(deleted -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  /**
   * A page of a webhook's deliveries, newest first, with the cursor of the next ({@code before}).
   */
  private void deliveries(RoutingContext ctx) {
    Requests.KeyPage asked = Requests.keyPage(ctx);
    AdminApi.respond(
        ctx,
        200,
        webhooks
            .deliveries(
                AdminApi.admin(ctx).accountId(),
                Requests.pathId(ctx, "id"),
                asked.limit() + 1,
                asked.before())
            .map(page -> Json.keyPage(page, asked.limit(), EventsApi::delivery, d -> d.id())));
  }

  private static ActivityQuery eventQuery(Optional<String> text) {
    return EventLog.checked(text.map(ActivityQuery::parse).orElse(ActivityQuery.all()));
  }

  private static void known(JsonObject body, Set<String> fields) {
    for (String field : body.fieldNames()) {
      if (!fields.contains(field)) {
        throw OutpostException.badRequest("unknown field '" + field + "'");
      }
    }
  }

  /**
   * An http(s) URL with a host; one that names an address not public (and not allowed) is refused
   * at once. A name is checked when a delivery resolves it.
   */
  private String url(String text) {
    if (text == null || text.isBlank()) {
      throw OutpostException.badRequest("a webhook needs a 'url'");
    }
    if (text.length() > MAX_URL_LENGTH) {
      throw OutpostException.badRequest("'url' is longer than " + MAX_URL_LENGTH + " characters");
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw OutpostException.badRequest("'" + text + "' is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw OutpostException.badRequest("'" + text + "' is not an http(s) URL");
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null) {
      throw OutpostException.badRequest("'" + text + "' must name a host, and no user");
    }
    String host = uri.getHost().replaceAll("^\\[(.*)]$", "$1");
    if (LITERAL.matcher(host).matches()) {
      try {
        addresses.check(host, InetAddress.getByName(host)); // a literal: no lookup
      } catch (UnknownHostException e) {
        throw OutpostException.badRequest("'" + host + "' is not an address");
      } catch (OutboundAddresses.Refused e) {
        throw OutpostException.badRequest("webhook refused: " + e.getMessage());
      }
    }
    return text;
  }

  private static String secret(String text) {
    if (text.length() < MIN_SECRET || text.length() > MAX_SECRET) {
      throw OutpostException.badRequest(
          "'secret' must have " + MIN_SECRET + " to " + MAX_SECRET + " characters");
    }
    return text;
  }

  private static JsonObject webhook(Webhook w) {
    return new JsonObject()
        .put("id", w.id())
        .put("url", w.url())
        .put("query", w.query())
        .put("created_at", w.createdAt().toString())
        .put("state", w.disabledAt().isPresent() ? "disabled" : failingOrActive(w))
        .put("failing_since", w.failingSince().map(Instant::toString).orElse(null))
        .put("disabled_at", w.disabledAt().map(Instant::toString).orElse(null))
        .put("disabled_reason", w.disabledReason().orElse(null));
  }

  private static String failingOrActive(Webhook w) {
    return w.failingSince().isPresent() ? "failing" : "active";
  }

  private static JsonObject delivery(WebhookDelivery d) {
    return new JsonObject()
        .put("id", d.id())
        .put("position", d.position().toString())
        .put("event", d.event())
        .put("state", d.state())
        .put("attempts", d.attempts())
        .put("last_status", d.lastStatus().orElse(null))
        .put("last_error", d.lastError().orElse(null))
        .put("created_at", d.createdAt().toString())
        .put("next_attempt_at", d.nextAttemptAt().map(Instant::toString).orElse(null))
        .put("finished_at", d.finishedAt().map(Instant::toString).orElse(null));
  }
}
