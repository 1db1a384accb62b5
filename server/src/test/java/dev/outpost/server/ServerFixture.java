package dev.outpost.server;

import static dev.outpost.server.TestSupport.await;

import dev.outpost.server.jobs.JobHandler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A whole server on a random port over the test database, with an account of its own. */
public final class ServerFixture implements AutoCloseable {

  /** The test's clock: time moves only when the test says so. */
  public final TestSupport.SettableClock clock =
      new TestSupport.SettableClock(Instant.parse("2030-01-01T00:00:00Z"));

  public final OutpostServer server;
  public final WebClient http;
  public final String token = TestSupport.unique("token");
  public final String registrationKey = TestSupport.unique("key");
  public final String accountName = TestSupport.unique("account");
  public final long accountId;

  public final ServerConfig config;

  /** The job queue this fixture named, deleted when it closes; null when a test named it. */
  private final String ownQueue;

  /** Starts a server with its own account and job queue on the given Vert.x. */
  public ServerFixture(Vertx vertx) {
    this(vertx, Map.of(), Map.of());
  }

  /**
   * Starts a server with extra {@code OUTPOST_*} settings and job handlers replacing the built-in
   * ones.
   */
  public ServerFixture(Vertx vertx, Map<String, String> env, Map<String, JobHandler> handlers) {
    Map<String, String> settings =
        new HashMap<>(
            Map.of(
                "OUTPOST_HTTP_PORT", "0",
                "OUTPOST_JOBS_QUEUE", TestSupport.unique("outpost.test.jobs"),
                "OUTPOST_HOME", home().toString()));
    settings.putAll(env);
    ownQueue = env.containsKey("OUTPOST_JOBS_QUEUE") ? null : settings.get("OUTPOST_JOBS_QUEUE");
    config = ServerConfig.fromEnv(settings);
    var db =
        settings.containsKey("OUTPOST_DB_URL")
            ? dev.outpost.server.db.Database.connectOptions(settings.get("OUTPOST_DB_URL"))
            : TestSupport.database();
    server =
        await(
            OutpostServer.start(
                vertx,
                db,
                settings.getOrDefault("OUTPOST_AMQP_URL", TestSupport.amqpUrl()),
                config,
                clock,
                handlers));
    accountId =
        await(server.accounts().ensureAccount(accountName, registrationKey, "admin", token));
    // every /api/v2 response a test receives is checked against the OpenAPI document
    http =
        ApiContract.install(
            WebClient.create(
                vertx,
                new WebClientOptions()
                    .setDefaultHost("127.0.0.1")
                    .setDefaultPort(server.httpPort())));
  }

  private static java.nio.file.Path home() {
    try {
      return java.nio.file.Files.createTempDirectory("outpost-test-home");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Adds a computer to the fixture's account. */
  public long computer(String title) {
    return await(server.computers().add(accountId, title, title + ".local", List.of()));
  }

  /** A request to the admin API carrying the fixture's token. */
  public HttpRequest<Buffer> api(io.vertx.core.http.HttpMethod method, String path) {
    return http.request(method, "/api/v2" + path).bearerTokenAuthentication(token);
  }

  /** GET from the admin API, awaited. */
  public HttpResponse<Buffer> get(String path) {
    return await(api(io.vertx.core.http.HttpMethod.GET, path).send());
  }

  /** POST JSON to the admin API, awaited. */
  public HttpResponse<Buffer> post(String path, JsonObject body) {
    return await(api(io.vertx.core.http.HttpMethod.POST, path).sendJsonObject(body));
  }

  /** PATCH JSON to the admin API, awaited. */
  public HttpResponse<Buffer> patch(String path, JsonObject body) {
    return await(api(io.vertx.core.http.HttpMethod.PATCH, path).sendJsonObject(body));
  }

  @Override
  public void close() {
    http.close();
    await(server.close());
    if (ownQueue != null) {
      TestSupport.deleteQueueIfUnused(ownQueue);
    }
  }
}
