package dev.outpost.bench;

import dev.outpost.server.OutpostServer;
import dev.outpost.server.ServerConfig;
import dev.outpost.server.db.Database;
import dev.outpost.server.jobs.JobHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts an Outpost server the way the server's own launcher does, from the same {@code OUTPOST_*}
 * variables (database and broker required), with the job handlers of the activity types named on
 * the command line replaced by ones that succeed at once: the server activities benchmark measures
 * the machinery around a job, not a job.
 */
public final class ServeMain {

  private ServeMain() {}

  /** Arguments: activity types whose handler does nothing. */
  public static void main(String[] args) throws Exception {
    ServerConfig config = ServerConfig.fromEnv(System.getenv());
    String dbUrl =
        config
            .dbUrl()
            .orElseThrow(() -> new IllegalArgumentException("OUTPOST_DB_URL is required"));
    String amqpUrl =
        config
            .jobs()
            .amqpUrl()
            .orElseThrow(() -> new IllegalArgumentException("OUTPOST_AMQP_URL is required"));
    Map<String, JobHandler> handlers = new HashMap<>();
    for (String type : args) {
      handlers.put(type, context -> Future.succeededFuture("nothing done"));
    }
    Vertx vertx = Vertx.vertx();
    OutpostServer server =
        OutpostServer.start(
                vertx, Database.connectOptions(dbUrl), amqpUrl, config, Clock.systemUTC(), handlers)
            .compose(
                started ->
                    started
                        .accounts()
                        .ensureAccount(
                            ServerConfig.BOOTSTRAP_ACCOUNT,
                            config.registrationKey().orElseThrow(),
                            "bootstrap",
                            config.adminToken().orElseThrow())
                        .map(started))
            .toCompletionStage()
            .toCompletableFuture()
            .get(120, TimeUnit.SECONDS);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server
                        .close()
                        .eventually(vertx::close)
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(20, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    System.err.println("serve: did not stop cleanly: " + e);
                  }
                },
                "serve-stop"));
    System.out.println("serving on port " + server.httpPort());
  }
}
