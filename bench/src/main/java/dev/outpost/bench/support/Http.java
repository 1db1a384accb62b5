package dev.outpost.bench.support;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** A small HTTP client for the admin API: one request, its status and whole body. */
public final class Http implements AutoCloseable {

  /** An answer. */
  public record Answer(int status, Buffer body) {}

  private final HttpClientAgent client;
  private final Context context;
  private final int port;
  private final String token;

  /** A client of the server at {@code port}, sending the admin token. */
  public Http(Vertx vertx, int port, String token, int connections) {
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(connections));
    // every request from one event loop, whichever thread asks
    this.context = vertx.getOrCreateContext();
    this.port = port;
    this.token = token;
  }

  /**
   * Sends a request; the future completes once the whole body arrived, and fails when that takes
   * more than ten minutes.
   */
  public Future<Answer> send(HttpMethod method, String uri, Buffer body) {
    Promise<Answer> answer = Promise.promise();
    context.runOnContext(
        v -> request(method, uri, body).timeout(10, TimeUnit.MINUTES).onComplete(answer));
    return answer.future();
  }

  private Future<Answer> request(HttpMethod method, String uri, Buffer body) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(method)
            .setHost("127.0.0.1")
            .setPort(port)
            .setURI(uri)
            .putHeader("Authorization", "Bearer " + token);
    if (body != null) {
      options.putHeader("Content-Type", "application/json");
    }
    return client
        .request(options)
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(response -> response.body().map(b -> new Answer(response.statusCode(), b)));
  }

  /** A script activity as its creation answered. */
  public record Created(long id, Instant createdAt) {}

  /** Creates an ExecuteScriptRequest of {@code code} for one computer; anything but 201 throws. */
  public Created createScript(long computer, String code) {
    Answer answer =
        await(
            HttpMethod.POST,
            "/api/v2/activities",
            new JsonObject()
                .put("type", "ExecuteScriptRequest")
                .put("computer_ids", new JsonArray().add(computer))
                .put("parameters", new JsonObject().put("code", code))
                .toBuffer());
    if (answer.status() != 201) {
      throw new IllegalStateException(
          "creation answered " + answer.status() + ": " + answer.body());
    }
    JsonObject activity = answer.body().toJsonObject();
    return new Created(activity.getLong("id"), Instant.parse(activity.getString("created_at")));
  }

  /** Sends a request and waits for the answer (never call this on an event loop). */
  public Answer await(HttpMethod method, String uri, Buffer body) {
    return send(method, uri, body).toCompletionStage().toCompletableFuture().join();
  }

  @Override
  public void close() {
    client.close().toCompletionStage().toCompletableFuture().join();
  }
}
