package dev.outpost.server;

import static dev.outpost.server.TestSupport.await;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** A Server-Sent Events stream of the admin API, read as it comes, for tests. */
public final class EventStream {

  private final HttpClient client;
  private final StringBuilder body = new StringBuilder();
  private final Promise<String> ended = Promise.promise();

  private EventStream(HttpClient client) {
    this.client = client;
  }

  /** Opens a stream of the fixture's admin API ({@code path} under {@code /api/v2}). */
  public static EventStream open(Vertx vertx, ServerFixture fx, String path) {
    EventStream stream = new EventStream(vertx.createHttpClient());
    await(
        stream
            .client
            .request(
                new RequestOptions()
                    .setMethod(HttpMethod.GET)
                    .setHost("127.0.0.1")
                    .setPort(fx.server.httpPort())
                    .setURI("/api/v2" + path)
                    .putHeader("Authorization", "Bearer " + fx.token))
            .compose(request -> request.send())
            .map(
                response -> {
                  response.handler(
                      part -> {
                        synchronized (stream.body) {
                          stream.body.append(part.toString());
                        }
                      });
                  response.endHandler(v -> stream.ended.complete(stream.body()));
                  return null;
                }));
    return stream;
  }

  /** What arrived so far. */
  public String body() {
    synchronized (body) {
      return body.toString();
    }
  }

  /** The whole stream, once the server ended it; the client is closed then. */
  public Future<String> ended() {
    return ended.future().eventually(client::close);
  }

  /** The data of a stream's events of one name, in order. */
  public static List<JsonObject> events(String body, String name) {
    List<JsonObject> found = new ArrayList<>();
    for (String event : body.split("\n\n")) {
      if (event.startsWith("event: " + name + "\n")) {
        found.add(new JsonObject(event.substring(event.indexOf("data: ") + 6)));
      }
    }
    return found;
  }
}
