package dev.outpost.server.health;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health probes and the metrics of a process without the HTTP front (the {@code job-handler}
 * role), on a port of their own: {@code /health}, {@code /health/live}, {@code /health/ready} and
 * {@code /metrics}. Nothing else is served, and no request has a body.
 */
public final class ProbesVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ProbesVerticle.class);
  private static final int IDLE_TIMEOUT_SECONDS = 60;

  private final int port;
  private final Health health;
  private final Supplier<Future<Void>> databaseAnswers;
  private final Consumer<Router> metrics;
  private HttpServer server;

  /**
   * Creates the probes' server.
   *
   * @param metrics adds {@code /metrics} to the router
   */
  public ProbesVerticle(
      int port, Health health, Supplier<Future<Void>> databaseAnswers, Consumer<Router> metrics) {
    this.port = port;
    this.health = health;
    this.databaseAnswers = databaseAnswers;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router
        .get("/health")
        .handler(
            ctx ->
                databaseAnswers
                    .get()
                    .timeout(2, TimeUnit.SECONDS)
                    .onComplete(
                        done -> {
                          boolean ok = done.succeeded();
                          ctx.response()
                              .setStatusCode(ok ? 200 : 503)
                              .putHeader("Content-Type", "application/json")
                              .end(
                                  new JsonObject()
                                      .put("status", ok ? "ok" : "unavailable")
                                      .put("database", ok ? "ok" : "unavailable")
                                      .encode());
                        }));
    health.mount(router);
    metrics.accept(router);
    router.route().last().handler(ctx -> ctx.response().setStatusCode(404).end());
    return vertx
        .createHttpServer(new HttpServerOptions().setIdleTimeout(IDLE_TIMEOUT_SECONDS))
        .requestHandler(router)
        .listen(port)
        .onSuccess(
            listening -> {
              server = listening;
              LOG.info("health and metrics listening [port: {}]", listening.actualPort());
            });
  }

  /** The port actually bound. */
  public int actualPort() {
    return server.actualPort();
  }
}
