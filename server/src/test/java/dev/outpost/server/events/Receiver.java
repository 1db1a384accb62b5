package dev.outpost.server.events;

import static dev.outpost.server.TestSupport.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A webhook receiver on 127.0.0.1: answers 503 while down, 200 while up, writes down what it took.
 */
final class Receiver implements AutoCloseable {

  /** One delivery taken: its signature header and its body. */
  record Taken(String signature, String body) {
    JsonObject event() {
      return new JsonObject(body);
    }
  }

  final List<Taken> taken = new CopyOnWriteArrayList<>();
  final List<String> refusedBodies = new CopyOnWriteArrayList<>();
  volatile boolean up;
  private final HttpServer server;

  Receiver(Vertx vertx) {
    server =
        await(
            vertx
                .createHttpServer()
                .requestHandler(
                    request ->
                        request
                            .body()
                            .onSuccess(
                                body -> {
                                  if (up) {
                                    taken.add(
                                        new Taken(
                                            request.getHeader(WebhookSender.SIGNATURE_HEADER),
                                            body.toString()));
                                    request.response().setStatusCode(200).end();
                                  } else {
                                    refusedBodies.add(body.toString());
                                    request.response().setStatusCode(503).end("down");
                                  }
                                }))
                .listen(0, "127.0.0.1"));
  }

  /** The URL of a path of this receiver, with the host given. */
  String url(String host, String path) {
    return "http://" + host + ":" + server.actualPort() + path;
  }

  @Override
  public void close() {
    await(server.close());
  }
}
