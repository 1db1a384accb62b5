package dev.outpost.server.exchange;

import dev.outpost.common.error.OutpostException;
import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.PayloadCodec;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.account.Secrets;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

/** The routes agents use: {@code /message-system}, {@code /ping}, {@code /attachment/{id}}. */
public final class ExchangeApi {

  private final MessageSystem messageSystem;
  private final Pool pool;
  private final Clock clock;

  /** Creates the routes over the exchange. */
  public ExchangeApi(MessageSystem messageSystem, Pool pool, Clock clock) {
    this.messageSystem = messageSystem;
    this.pool = pool;
    this.clock = clock;
  }

  /** Mounts the routes; the caller has installed a body handler. */
  public void mount(Router router) {
    router.post("/message-system").handler(this::exchange);
    router.post("/ping").handler(this::ping);
    router.get("/attachment/:id").handler(this::attachment);
  }

  private void exchange(RoutingContext ctx) {
    String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    PayloadCodec codec = contentType == null
        ? PayloadCodec.BPICKLE
        : PayloadCodec.forContentType(contentType).orElseThrow(() -> OutpostException.badRequest(
            "unsupported content type '" + contentType
                + "'; send application/octet-stream (bpickle) or application/json"));
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw OutpostException.badRequest("the exchange needs a payload");
    }
    WireMap payload = WireMap.of(codec.decode(body));
    messageSystem.exchange(header(ctx, "X-Computer-ID"), header(ctx, "X-Exchange-Token"), payload)
        .onSuccess(answer -> ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, codec.mediaType())
            .end(codec.encodeToBuffer(answer)))
        .onFailure(ctx::fail);
  }

  private void ping(RoutingContext ctx) {
    String raw = ctx.request().getFormAttribute("insecure_id");
    long insecureId;
    try {
      insecureId = Long.parseLong(raw == null ? "" : raw.strip());
    } catch (NumberFormatException e) {
      throw OutpostException.badRequest("ping needs a form field insecure_id=<number>");
    }
    pool.preparedQuery("""
            SELECT EXISTS (SELECT 1 FROM outgoing_messages WHERE computer_id = $1)
                OR EXISTS (SELECT 1 FROM activities
                            WHERE computer_id = $1 AND kind = 'client'
                              AND (status = 'queued'
                                   OR (status = 'scheduled' AND deliver_after <= $2)))
            """)
        .execute(Tuple.of(insecureId, clock.instant().atOffset(ZoneOffset.UTC)))
        .onSuccess(rows -> ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, Bpickle.MEDIA_TYPE)
            .end(Buffer.buffer(Bpickle.encode(
                Map.of("messages", rows.iterator().next().getBoolean(0))))))
        .onFailure(ctx::fail);
  }

  private void attachment(RoutingContext ctx) {
    String secureId = header(ctx, "X-Computer-ID")
        .orElseThrow(() -> OutpostException.unauthorized("send X-Computer-ID"));
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      throw OutpostException.badRequest("'" + ctx.pathParam("id") + "' is not an attachment id");
    }
    pool.preparedQuery("""
            SELECT a.content FROM attachments a JOIN computers c ON c.id = a.computer_id
             WHERE a.id = $1 AND c.secure_id_hash = $2 AND c.removed_at IS NULL
            """)
        .execute(Tuple.of(id, Buffer.buffer(Secrets.hash(secureId))))
        .onSuccess(rows -> {
          if (rows.size() == 0) {
            ctx.fail(OutpostException.notFound("attachment " + id + " not found"));
            return;
          }
          ctx.response()
              .putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
              .end(rows.iterator().next().getBuffer(0));
        })
        .onFailure(ctx::fail);
  }

  private static Optional<String> header(RoutingContext ctx, String name) {
    return Optional.ofNullable(ctx.request().getHeader(name)).map(String::strip)
        .filter(v -> !v.isEmpty());
  }
}
