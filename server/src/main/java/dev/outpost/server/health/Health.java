package dev.outpost.server.health;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The probes an orchestrator or a load balancer asks, open to anyone, each answer a fixed body
 * (causes name hosts and users: they go to the log):
 *
 * <ul>
 *   <li>{@code GET /health/live}: 200 while the process answers at all; restart it otherwise.
 *   <li>{@code GET /health/ready}: 200 when the database answers, the schema this server needs is
 *       applied and the broker of the job queue is connected; 503 naming which is not, so that
 *       traffic goes elsewhere until it is.
 * </ul>
 */
public final class Health {

  private static final Logger LOG = LoggerFactory.getLogger(Health.class);
  private static final long CHECK_SECONDS = 2;
  private static final String LIVE = new JsonObject().put("status", "ok").encode();

  private final Supplier<Future<Boolean>> schemaApplied;
  private final BooleanSupplier brokerConnected;

  /**
   * Creates the probes.
   *
   * @param schemaApplied succeeds with whether the database holds this server's latest migration,
   *     fails when the database does not answer
   * @param brokerConnected whether the job queue's broker is connected now
   */
  public Health(Supplier<Future<Boolean>> schemaApplied, BooleanSupplier brokerConnected) {
    this.schemaApplied = schemaApplied;
    this.brokerConnected = brokerConnected;
  }

  /** Adds {@code /health/live} and {@code /health/ready} to {@code router}. */
  public void mount(Router router) {
    router.get("/health/live").handler(this::live);
    router.get("/health/ready").handler(this::ready);
  }

  private void live(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/json").end(LIVE);
  }

  private void ready(RoutingContext ctx) {
    boolean broker = brokerConnected.getAsBoolean();
    schemaApplied
        .get()
        .timeout(CHECK_SECONDS, TimeUnit.SECONDS)
        .onComplete(
            checked -> {
              if (checked.failed()) {
                LOG.warn(
                    "readiness check failed: the database does not answer [cause: {}]",
                    checked.cause().toString());
              }
              boolean database = checked.succeeded();
              boolean schema = database && checked.result();
              boolean ready = database && schema && broker;
              if (!broker) {
                LOG.warn("readiness check failed: the job queue's broker is not connected");
              }
              ctx.response()
                  .setStatusCode(ready ? 200 : 503)
                  .putHeader("Content-Type", "application/json")
                  .end(
                      new JsonObject()
                          .put("status", ready ? "ok" : "unavailable")
                          .put("database", database ? "ok" : "unavailable")
                          .put("migrations", !database ? "unknown" : schema ? "ok" : "pending")
                          .put("broker", broker ? "ok" : "unavailable")
                          .encode());
            });
  }
}
