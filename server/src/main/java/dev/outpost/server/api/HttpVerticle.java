package dev.outpost.server.api;

import dev.outpost.server.ServerConfig;
import dev.outpost.server.http.Gate;
import dev.outpost.server.tls.Listeners;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front: health, the admin API and whatever else is mounted on its router, served over
 * plain HTTP on one address (loopback unless told otherwise) and, with a certificate, over HTTPS.
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);
  private static final String HEALTHY =
      new JsonObject().put("status", "ok").put("database", "ok").encode();
  private static final String UNAVAILABLE =
      new JsonObject().put("status", "unavailable").put("database", "unavailable").encode();

  /** The largest WebSocket frame or message: a control frame's most. */
  private static final int MAX_WEBSOCKET_BYTES = 125;

  private final int port;
  private final Listeners listeners;
  private final long maxBodyBytes;
  private final long unauthenticatedBodyBytes;
  private final int idleTimeoutSeconds;
  private final Supplier<Future<Void>> databaseAnswers;
  private final List<Consumer<Router>> gates;
  private final List<Consumer<Router>> mounts;
  private HttpServer server;
  private HttpServer httpsServer;
  private Router router;

  /**
   * Creates the front.
   *
   * @param port the port of plain HTTP
   * @param listeners the address of plain HTTP, and the port, address and certificate of HTTPS
   * @param maxBodyBytes the largest body of a request its credentials admitted
   * @param limits the largest body of any other request, and how long a connection may idle
   * @param gates each adds the routes that check credentials before a body is read ({@link Gate})
   * @param mounts each adds its routes to the router
   */
  public HttpVerticle(
      int port,
      Listeners listeners,
      long maxBodyBytes,
      ServerConfig.Limits limits,
      Supplier<Future<Void>> databaseAnswers,
      List<Consumer<Router>> gates,
      List<Consumer<Router>> mounts) {
    this.port = port;
    this.listeners = listeners;
    this.maxBodyBytes = maxBodyBytes;
    this.unauthenticatedBodyBytes = Math.min(maxBodyBytes, limits.unauthenticatedBodyBytes());
    this.idleTimeoutSeconds = limits.httpIdleTimeoutSeconds();
    this.databaseAnswers = databaseAnswers;
    this.gates = List.copyOf(gates);
    this.mounts = List.copyOf(mounts);
  }

  @Override
  public Future<?> start() {
    router = Router.router(vertx);
    gates.forEach(gate -> gate.accept(router));
    BodyHandler admitted = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
    BodyHandler other = BodyHandler.create(false).setBodyLimit(unauthenticatedBodyBytes);
    router.route().handler(ctx -> (Gate.admitted(ctx) ? admitted : other).handle(ctx));
    router.get("/health").handler(this::health);
    mounts.forEach(mount -> mount.accept(router));
    router.route().failureHandler(new FailureHandler());
    router.route().last().handler(ctx -> ctx.fail(404));
    // curl in the Landscape Client asks for gzip; large responses are worth it. Idle connections
    // are closed so that silent clients cannot hold sockets for good. The only WebSockets are the
    // agents' channels, which carry nothing larger than a close frame: no compression (a deflater
    // per connection), no frame or message past what a control frame may hold. No HTTP/2 over
    // plain text: no client of Outpost needs it, and a request that offers the upgrade reaches
    // the routes already ended, so the body handler after an asynchronous token check failed it.
    // HTTPS offers no ALPN, so HTTP/1.1 only there too. Every response is written on the context
    // of its request (strict thread mode): the connection then writes straight to Netty rather
    // than through a queue of its own, whose first chunk (4 KiB) an upgraded connection kept for
    // as long as its channel stayed open (docs/PERFORMANCE.md, the channel).
    Future<HttpServer> plain =
        vertx
            .createHttpServer(options())
            .requestHandler(router)
            .listen(port, listeners.httpHost())
            .onSuccess(
                listening -> {
                  server = listening;
                  LOG.debug(
                      "http listening [address: {}, port: {}]",
                      listeners.httpHost(),
                      listening.actualPort());
                });
    if (listeners.certificate().isEmpty()) {
      return plain;
    }
    Listeners.Certificate certificate = listeners.certificate().get();
    return plain.compose(
        listening ->
            vertx
                .createHttpServer(
                    options()
                        .setSsl(true)
                        .setKeyCertOptions(
                            new PemKeyCertOptions()
                                .setCertPath(certificate.cert().toString())
                                .setKeyPath(certificate.key().toString())))
                .requestHandler(router)
                .listen(listeners.httpsPort(), listeners.httpsHost())
                .onSuccess(
                    secure -> {
                      httpsServer = secure;
                      LOG.debug(
                          "https listening [address: {}, port: {}]",
                          listeners.httpsHost(),
                          secure.actualPort());
                    }));
  }

  private HttpServerOptions options() {
    return new HttpServerOptions()
        .setCompressionSupported(true)
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout(idleTimeoutSeconds)
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        .setMaxWebSocketFrameSize(MAX_WEBSOCKET_BYTES)
        .setMaxWebSocketMessageSize(MAX_WEBSOCKET_BYTES)
        .setStrictThreadMode(true);
  }

  /**
   * 200 while the database answers, else 503. The body is fixed either way: it is open to anyone,
   * and a database error names hosts, users and databases, so the cause goes to the log.
   */
  private void health(RoutingContext ctx) {
    databaseAnswers
        .get()
        .timeout(2, java.util.concurrent.TimeUnit.SECONDS)
        .onComplete(
            done -> {
              if (done.failed()) {
                LOG.warn(
                    "health check failed: the database does not answer [cause: {}]",
                    done.cause().toString());
              }
              ctx.response()
                  .setStatusCode(done.succeeded() ? 200 : 503)
                  .putHeader("Content-Type", "application/json")
                  .end(done.succeeded() ? HEALTHY : UNAVAILABLE);
            });
  }

  /** The router, once started: its routes are what the front answers. */
  public Router router() {
    return router;
  }

  /** The port of plain HTTP actually bound (useful when configured as 0). */
  public int actualPort() {
    return server.actualPort();
  }

  /** The port of HTTPS actually bound, or -1 when HTTPS is not served. */
  public int actualHttpsPort() {
    return httpsServer == null ? -1 : httpsServer.actualPort();
  }
}
