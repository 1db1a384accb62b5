package dev.outpost.server.events;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.error.OutpostException;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import dev.outpost.server.activity.ActivityQuery;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Event streams and a client that stops reading, over small socket buffers. */
@ExtendWith(VertxExtension.class)
class SlowClientTest {

  /**
   * Verifies that a client that stops reading is cut off once its write queue is full, rather than
   * buffered for: GIVEN hundreds of events and a stream whose client reads nothing WHEN the stream
   * writes them THEN the server drops the stream, having sent fewer than all, and the account's one
   * place is free again.
   */
  @Test
  void aClientThatStopsReadingIsCutOff(Vertx vertx) {
    try (ServerFixture fx = new ServerFixture(vertx)) {
      Position start = await(EventLog.head(fx.server.pool()));
      JsonArray computers = new JsonArray();
      for (int i = 0; i < 150; i++) {
        computers.add(fx.computer("slow-" + i));
      }
      fx.post(
          "/activities",
          new JsonObject()
              .put("type", "ExecuteScriptRequest")
              .put("computer_ids", computers)
              .put("parameters", new JsonObject().put("code", "echo " + "x".repeat(500))));

      Counter streamed = new SimpleMeterRegistry().counter("streamed");
      EventStreams streams =
          new EventStreams(
              vertx,
              fx.server.pool(),
              new EventStreams.Settings(10, 1, Duration.ofSeconds(60), 1024),
              streamed);
      HttpServer server =
          await(
              vertx
                  .createHttpServer(new HttpServerOptions().setSendBufferSize(4096))
                  .requestHandler(
                      request -> {
                        try {
                          streams.stream(
                              request.response(),
                              fx.accountId,
                              ActivityQuery.all(),
                              Optional.of(start));
                        } catch (OutpostException e) {
                          request.response().setStatusCode(e.status()).end();
                        }
                      })
                  .listen(0, "127.0.0.1"));
      HttpClient client =
          vertx.createHttpClient(new HttpClientOptions().setReceiveBufferSize(4096));
      try {
        assertThat(open(vertx, client, server.actualPort(), true)).isEqualTo(200);
        eventually(30, () -> open(vertx, client, server.actualPort(), false) == 200);
        assertThat(streamed.count()).isGreaterThan(0).isLessThan(300);
      } finally {
        await(client.close());
        await(server.close());
        TestSupport.endActivities(fx.server.pool(), fx.accountId);
      }
    }
  }

  /** Opens a stream, its response paused (a client that reads nothing) or closed at once. */
  private static int open(Vertx vertx, HttpClient client, int port, boolean stall) {
    Promise<Integer> status = Promise.promise();
    vertx
        .getOrCreateContext()
        .runOnContext(
            v ->
                client
                    .request(
                        new RequestOptions()
                            .setMethod(HttpMethod.GET)
                            .setHost("127.0.0.1")
                            .setPort(port)
                            .setURI("/"))
                    .compose(request -> request.send())
                    .map(
                        response -> {
                          if (stall) {
                            response.pause();
                          } else {
                            response.request().reset();
                          }
                          return response.statusCode();
                        })
                    .onComplete(status));
    return await(status.future());
  }
}
