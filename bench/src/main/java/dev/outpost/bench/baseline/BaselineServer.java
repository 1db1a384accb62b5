package dev.outpost.bench.baseline;

import dev.outpost.bench.Context;
import dev.outpost.bench.support.BenchDatabase;
import dev.outpost.bench.support.ChildProcess;
import dev.outpost.bench.support.OutpostProcess;
import dev.outpost.common.wire.Bpickle;
import dev.outpost.server.activity.DueRule;
import dev.outpost.server.db.Database;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * The baselines of the exchange benchmark, in a process of their own: what this machine does with a
 * bare Vert.x POST route, and with the same route plus one PostgreSQL transaction, built the way
 * the server is built (the same body handler, pool and database).
 *
 * <ul>
 *   <li>{@code POST /plain}: answers at once;
 *   <li>{@code POST /tx}: BEGIN, UPDATE one row, INSERT one row, COMMIT: four round trips;
 *   <li>{@code POST /cte}: the same writes as one statement;
 *   <li>{@code POST /ping}: Outpost's {@code /ping} as one statement per ping (the server answers
 *       the pings that arrive together with one statement), over an Outpost database.
 * </ul>
 *
 * The row is the request's {@code X-Id}; the harness creates {@code bench_counters} (ids 1..n) and
 * {@code bench_log}; a ping's computer is its form's {@code insecure_id}. Arguments: port, database
 * URL, pool size, HTTP verticle instances.
 */
public final class BaselineServer extends VerticleBase {

  private static final Buffer OK = Buffer.buffer("ok");

  /** Whether anything waits for computer $1 at $2, as the server asked it one ping at a time. */
  private static final String PING =
      "SELECT EXISTS (SELECT 1 FROM outgoing_messages WHERE computer_id = $1) OR "
          + DueRule.any("$1::bigint", "$2");

  private final int port;
  private final Pool pool;

  private BaselineServer(int port, Pool pool) {
    this.port = port;
    this.pool = pool;
  }

  /**
   * HTTP verticle instances of the baseline routes: as many as the server deploys (its {@code
   * OUTPOST_HTTP_INSTANCES}, by default one per core).
   */
  private static final String INSTANCES_ENV = "OUTPOST_HTTP_INSTANCES";

  /**
   * Starts the baseline routes in a process of their own on {@code port}, over {@code db}, with the
   * server's JVM options and a pool of 8 as the server has; returns once they answer.
   */
  public static ChildProcess start(Context ctx, BenchDatabase db, String label, int port)
      throws IOException, InterruptedException {
    String instances =
        System.getenv()
            .getOrDefault(
                INSTANCES_ENV, String.valueOf(Runtime.getRuntime().availableProcessors()));
    ChildProcess baseline =
        ChildProcess.start(
            "baseline server",
            ChildProcess.java(
                ctx.serverJvmOptions(label),
                "-cp",
                ctx.classpath(),
                BaselineServer.class.getName(),
                String.valueOf(port),
                db.url(),
                "8",
                instances),
            Map.of(),
            ctx.results().resolve(label + ".log"));
    try {
      OutpostProcess.waitHealthy(baseline, port, "/health");
    } catch (RuntimeException | InterruptedException e) {
      baseline.close();
      throw e;
    }
    return baseline;
  }

  /** Starts the routes and keeps running until killed. */
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    String dbUrl = args[1];
    int poolSize = Integer.parseInt(args[2]);
    int instances = Integer.parseInt(args[3]);
    Vertx vertx = Vertx.vertx();
    Pool pool = Database.pool(vertx, Database.connectOptions(dbUrl), poolSize);
    vertx
        .deployVerticle(
            () -> new BaselineServer(port, pool), new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("baseline listening [port: " + port + "]"))
        .onFailure(
            e -> {
              e.printStackTrace();
              System.exit(1);
            });
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(4 * 1024 * 1024));
    router.get("/health").handler(ctx -> ctx.response().end(OK));
    router.post("/plain").handler(ctx -> ctx.response().end(OK));
    router.post("/tx").handler(this::transaction);
    router.post("/cte").handler(this::oneStatement);
    router.post("/ping").handler(this::ping);
    return vertx
        .createHttpServer(new HttpServerOptions().setCompressionSupported(true))
        .requestHandler(router)
        .listen(port);
  }

  private void transaction(RoutingContext ctx) {
    int id = id(ctx);
    pool.withTransaction(
            conn ->
                conn.preparedQuery("UPDATE bench_counters SET n = n + 1 WHERE id = $1")
                    .execute(Tuple.of(id))
                    .compose(
                        updated ->
                            conn.preparedQuery(
                                    "INSERT INTO bench_log (counter_id, at) VALUES ($1, now())")
                                .execute(Tuple.of(id))))
        .onSuccess(done -> ctx.response().end(OK))
        .onFailure(ctx::fail);
  }

  private void oneStatement(RoutingContext ctx) {
    pool.preparedQuery(
            """
            WITH updated AS (
              UPDATE bench_counters SET n = n + 1 WHERE id = $1 RETURNING id
            )
            INSERT INTO bench_log (counter_id, at) SELECT id, now() FROM updated
            """)
        .execute(Tuple.of(id(ctx)))
        .onSuccess(done -> ctx.response().end(OK))
        .onFailure(ctx::fail);
  }

  private void ping(RoutingContext ctx) {
    long computer = Long.parseLong(ctx.request().getFormAttribute("insecure_id"));
    pool.preparedQuery(PING)
        .execute(Tuple.of(computer, OffsetDateTime.now(ZoneOffset.UTC)))
        .onSuccess(
            rows ->
                ctx.response()
                    .putHeader("Content-Type", Bpickle.MEDIA_TYPE)
                    .end(
                        Buffer.buffer(
                            Bpickle.encode(
                                Map.of("messages", rows.iterator().next().getBoolean(0))))))
        .onFailure(ctx::fail);
  }

  private static int id(RoutingContext ctx) {
    String header = ctx.request().getHeader("X-Id");
    return header == null ? 1 : Integer.parseInt(header);
  }
}
