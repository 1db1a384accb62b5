package dev.outpost.server.api;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP front: health, the admin API and whatever else is mounted on its router. */
public final class HttpVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);
  private static final String HEALTHY =
      new JsonObject().put("status", "ok").put("database", "ok").encode();
  private static final String UNAVAILABLE =
      new JsonObject().put("status", "unavailable").put("database", "unavailable").encode();

  private final int port;
  private final long maxBodyBytes;
  private final Pool pool;
  private final List<Consumer<Router>> mounts;
  private HttpServer server;

  /**
   * Creates the front.
   *
   * @param mounts each adds its routes to the router
   */
  public HttpVerticle(int port, long maxBodyBytes, Pool pool, List<Consumer<Router>> mounts) {
    this.port = port;
    this.maxBodyBytes = maxBodyBytes;
    this.pool = pool;
    this.mounts = List.copyOf(mounts);
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));
    router.get("/health").handler(this::health);
    mounts.forEach(mount -> mount.accept(router));
    router.route().failureHandler(new FailureHandler());
    router.route().last().handler(ctx -> ctx.fail(404));
    // curl in the Landscape Client asks for gzip; large responses are worth it.
    return vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setCompressionSupported(true))
        .requestHandler(router)
        .listen(port)
        .onSuccess(listening -> {
          server = listening;
          LOG.debug("http listening [port: {}]", listening.actualPort());
        });
  }

  /**
   * 200 while the database answers, else 503. The body is fixed either way: it is open to
   * anyone, and a database error names hosts, users and databases, so the cause goes to the log.
   */
  private void health(RoutingContext ctx) {
    pool.query("SELECT 1").execute()
        .timeout(2, java.util.concurrent.TimeUnit.SECONDS)
        .onComplete(done -> {
          if (done.failed()) {
            LOG.warn("health check failed: the database does not answer [cause: {}]",
                done.cause().toString());
          }
          ctx.response()
              .setStatusCode(done.succeeded() ? 200 : 503)
              .putHeader("Content-Type", "application/json")
              .end(done.succeeded() ? HEALTHY : UNAVAILABLE);
        });
  }

  /** The port actually bound (useful when configured as 0). */
  public int actualPort() {
    return server.actualPort();
  }
}
