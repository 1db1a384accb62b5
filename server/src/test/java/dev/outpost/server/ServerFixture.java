package dev.outpost.server;

import static dev.outpost.server.TestSupport.await;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Instant;
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

  /** Starts a server with its own account on the given Vert.x. */
  public ServerFixture(Vertx vertx) {
    ServerConfig config = ServerConfig.fromEnv(Map.of("OUTPOST_HTTP_PORT", "0"));
    server = await(OutpostServer.start(vertx, TestSupport.database(), config, clock));
    accountId = await(server.accounts().ensureAccount(accountName, registrationKey, "admin", token));
    http = WebClient.create(vertx, new WebClientOptions()
        .setDefaultHost("127.0.0.1")
        .setDefaultPort(server.httpPort()));
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

  @Override
  public void close() {
    http.close();
    await(server.close());
  }
}
