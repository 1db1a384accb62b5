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

  /** Sends a request and waits for the answer (never call this on an event loop). */
  public Answer await(HttpMethod method, String uri, Buffer body) {
    return send(method, uri, body).toCompletionStage().toCompletableFuture().join();
  }

  @Override
  public void close() {
    client.close().toCompletionStage().toCompletableFuture().join();
  }
}
