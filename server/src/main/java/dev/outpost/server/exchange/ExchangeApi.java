package dev.outpost.server.exchange;

import dev.outpost.common.error.OutpostException;
import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.PayloadCodec;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.account.Secrets;
import dev.outpost.server.channel.Channels;
import dev.outpost.server.http.FailedAttempts;
import dev.outpost.server.http.Gate;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The routes agents use: {@code /message-system}, its channel, {@code /ping}, {@code
 * /attachment/{id}}.
 */
public final class ExchangeApi {

  private static final String SECURE_ID_HASH = "outpost.secure-id-hash";

  private final MessageSystem messageSystem;
  private final FailedAttempts failedAttempts;
  private final KnownComputers known = new KnownComputers();
  private final ChannelApi channel;

  /**
   * Creates the routes over the exchange and the agents' channels; unknown secure-ids and keys
   * count as failed attempts.
   */
  public ExchangeApi(
      MessageSystem messageSystem, FailedAttempts failedAttempts, Channels channels) {
    this.messageSystem = messageSystem;
    this.failedAttempts = failedAttempts;
    this.channel = new ChannelApi(messageSystem, failedAttempts, known, channels);
  }

  /**
   * Mounts the check of an exchange's secure-id, made before its body is read: an exchange that
   * names no registered computer is answered unknown-id unread, and one that names none at all (a
   * registration) is read only up to the small limit of unauthenticated bodies. The channel's
   * upgrade, which has no body, is answered here as well.
   */
  public void gate(Router router) {
    router.post("/message-system").handler(this::admit);
    channel.gate(router);
  }

  /** Mounts the routes; the caller has installed a body handler after the {@link #gate}. */
  public void mount(Router router) {
    router.post("/message-system").handler(this::exchange);
    router.post("/ping").handler(this::ping);
    router.get("/attachment/:id").handler(this::attachment);
  }

  private void admit(RoutingContext ctx) {
    Optional<String> secureId = header(ctx, "X-Computer-ID");
    if (secureId.isEmpty()) {
      failedAttempts.check(Gate.source(ctx));
      ctx.next();
      return;
    }
    byte[] hash = Secrets.hash(secureId.get());
    ctx.put(SECURE_ID_HASH, hash);
    if (known.contains(hash)) {
      Gate.admit(ctx);
      return;
    }
    String source = Gate.source(ctx);
    failedAttempts.check(source);
    PayloadCodec codec = codec(ctx);
    Gate.hold(ctx);
    messageSystem
        .registered(hash)
        .onSuccess(
            registered -> {
              if (registered) {
                known.add(hash);
                Gate.admit(ctx);
              } else {
                failedAttempts.failed(source);
                ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
                answer(ctx, codec, messageSystem.unknownIdAnswer());
              }
            })
        .onFailure(failure -> Gate.refuse(ctx, failure));
  }

  private void exchange(RoutingContext ctx) {
    PayloadCodec codec = codec(ctx);
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw OutpostException.badRequest("the exchange needs a payload");
    }
    WireMap payload = WireMap.of(codec.decode(body));
    Optional<String> secureId = header(ctx, "X-Computer-ID");
    // a registration's key is guessed per account too: the account it names is counted
    Optional<String> registering =
        secureId.isEmpty() ? registeringAccount(payload) : Optional.empty();
    registering.ifPresent(account -> failedAttempts.check(Gate.source(ctx), registering));
    messageSystem
        .exchange(
            Optional.ofNullable(ctx.get(SECURE_ID_HASH)),
            header(ctx, "X-Exchange-Token"),
            payload,
            body.length())
        .onSuccess(
            answer -> {
              if (secureId.isEmpty() && MessageSystem.refusesRegistration(answer)) {
                failedAttempts.failed(
                    Gate.source(ctx), registering, FailedAttempts.Kind.REGISTRATION_KEY);
              }
              MessageSystem.registeredSecureId(answer).ifPresent(id -> known.add(Secrets.hash(id)));
              answer(ctx, codec, answer);
            })
        .onFailure(ctx::fail);
  }

  /** The account a registration names, as failed attempts count it, when the payload has one. */
  private static Optional<String> registeringAccount(WireMap payload) {
    try {
      for (Object message : payload.optionalList("messages").orElse(List.of())) {
        if (message instanceof Map<?, ?> map) {
          WireMap m = WireMap.of(map);
          if ("register".equals(m.optionalText("type").orElse(""))) {
            return m.optionalText("account_name").map(name -> "name:" + name);
          }
        }
      }
    } catch (RuntimeException e) {
      // a payload of the wrong shape: the exchange refuses it by name
    }
    return Optional.empty();
  }

  private static void answer(RoutingContext ctx, PayloadCodec codec, Map<String, Object> answer) {
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, codec.mediaType())
        .end(codec.encodeToBuffer(answer));
  }

  private static PayloadCodec codec(RoutingContext ctx) {
    String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    return contentType == null
        ? PayloadCodec.BPICKLE
        : PayloadCodec.forContentType(contentType)
            .orElseThrow(
                () ->
                    OutpostException.badRequest(
                        "unsupported content type '"
                            + contentType
                            + "'; send application/octet-stream (bpickle) or application/json"));
  }

  private void ping(RoutingContext ctx) {
    String raw = ctx.request().getFormAttribute("insecure_id");
    long insecureId;
    try {
      insecureId = Long.parseLong(raw == null ? "" : raw.strip());
    } catch (NumberFormatException e) {
      throw OutpostException.badRequest("ping needs a form field insecure_id=<number>");
    }
    messageSystem
        .waiting(insecureId)
        .onSuccess(
            waiting ->
                ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, Bpickle.MEDIA_TYPE)
                    .end(Buffer.buffer(Bpickle.encode(Map.of("messages", waiting)))))
        .onFailure(ctx::fail);
  }

  private void attachment(RoutingContext ctx) {
    String secureId =
        header(ctx, "X-Computer-ID")
            .orElseThrow(() -> OutpostException.unauthorized("send X-Computer-ID"));
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      throw OutpostException.badRequest("'" + ctx.pathParam("id") + "' is not an attachment id");
    }
    messageSystem
        .attachment(id, Secrets.hash(secureId))
        .onSuccess(
            content -> {
              if (content.isEmpty()) {
                ctx.fail(OutpostException.notFound("attachment " + id + " not found"));
                return;
              }
              ctx.response()
                  .putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
                  .end(content.get());
            })
        .onFailure(ctx::fail);
  }

  private static Optional<String> header(RoutingContext ctx, String name) {
    return Optional.ofNullable(ctx.request().getHeader(name))
        .map(String::strip)
        .filter(v -> !v.isEmpty());
  }
}
