package dev.outpost.server.events;

import static dev.outpost.server.TestSupport.await;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A Server-Sent Events client of the admin API that writes down every event it reads. */
final class SseClient implements AutoCloseable {

  /** One event as read: its id, its type and its data. */
  record Event(String id, String name, JsonObject data) {}

  final List<Event> events = new CopyOnWriteArrayList<>();

  /** The position the server said the stream starts after, from its first comment. */
  volatile String startedAfter;

  final int status;
  private final HttpClient client;
  private final StringBuilder pending = new StringBuilder();

  /**
   * Opens {@code /api/v2/events} + {@code query} on the port with the token, sending {@code
   * lastEventId} when given.
   */
  SseClient(Vertx vertx, int port, String token, String query, String lastEventId) {
    client = vertx.createHttpClient();
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(port)
            .setURI("/api/v2/events" + query)
            .putHeader("Authorization", "Bearer " + token);
    if (lastEventId != null) {
      options.putHeader("Last-Event-ID", lastEventId);
    }
    // asked from an event loop, the response comes back on it, and its handler goes on before the
    // loop reads on: the first event may come in the very packet of the headers
    Promise<HttpClientResponse> answered = Promise.promise();
    vertx
        .getOrCreateContext()
        .runOnContext(
            v ->
                client
                    .request(options)
                    .compose(request -> request.send())
                    .onSuccess(
                        response -> {
                          if (response.statusCode() == 200) {
                            response.handler(this::read);
                          }
                        })
                    .onComplete(answered));
    status = await(answered.future()).statusCode();
  }

  private synchronized void read(Buffer chunk) {
    pending.append(chunk.toString());
    int end;
    while ((end = pending.indexOf("\n\n")) >= 0) {
      String block = pending.substring(0, end);
      pending.delete(0, end + 2);
      String id = null;
      String name = null;
      String data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith(": events after ")) {
          startedAfter = line.substring(": events after ".length());
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
      if (data != null) {
        events.add(new Event(id, name, new JsonObject(data)));
      }
    }
  }

  /** The id of the last event read. */
  String lastId() {
    return events.get(events.size() - 1).id();
  }

  /** Drops the connection, as a client that goes away does. */
  @Override
  public void close() {
    await(client.close());
  }
}
