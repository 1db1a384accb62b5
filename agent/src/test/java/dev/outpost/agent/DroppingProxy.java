package dev.outpost.agent;

import static dev.outpost.server.TestSupport.await;

import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.WireMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;

/**
 * An HTTP proxy between an agent and the server that can lose the server's answer to an exchange
 * after the server committed it: the agent sees its connection close. Each rule fires once.
 */
final class DroppingProxy implements AutoCloseable {

  private static final List<String> FORWARDED =
      List.of("Content-Type", "User-Agent", "X-Computer-ID", "X-Exchange-Token", "X-Message-API");

  private final Vertx vertx;
  private final int targetPort;
  private final HttpClient client;
  private final Map<String, BiPredicate<WireMap, WireMap>> rules = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> dropped = new ConcurrentHashMap<>();
  private volatile boolean refuseAttachments;
  private final List<Integer> refusals = new CopyOnWriteArrayList<>();
  private final AtomicInteger refused = new AtomicInteger();
  private HttpServer server;

  private DroppingProxy(Vertx vertx, int targetPort) {
    this.vertx = vertx;
    this.targetPort = targetPort;
    this.client = vertx.createHttpClient();
  }

  /** A proxy on a random port in front of the server on {@code targetPort}. */
  static DroppingProxy start(Vertx vertx, int targetPort) {
    DroppingProxy proxy = new DroppingProxy(vertx, targetPort);
    proxy.server = await(vertx.createHttpServer().requestHandler(proxy::handle).listen(0));
    return proxy;
  }

  /** The exchange URL an agent uses to go through the proxy. */
  String exchangeUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/message-system";
  }

  /** Loses the answer to the first exchange for which {@code when(request, response)} holds. */
  void dropOnce(String name, BiPredicate<WireMap, WireMap> when) {
    dropped.put(name, new AtomicInteger());
    rules.put(name, when);
  }

  /** How many answers the named rule lost. */
  int dropped(String name) {
    return dropped.get(name).get();
  }

  /** Answers the next exchanges with these statuses, one each, without passing them on. */
  void refuseExchanges(Integer... statuses) {
    refusals.addAll(List.of(statuses));
  }

  /** How many exchanges were refused. */
  int refused() {
    return refused.get();
  }

  /** Answers 404 to every attachment download. */
  void refuseAttachments() {
    refuseAttachments = true;
  }

  /** The types of the messages of a payload. */
  static List<String> types(WireMap payload) {
    return payload.mapList("messages").stream().map(m -> m.text("type")).toList();
  }

  private void handle(HttpServerRequest request) {
    if (request.path().equals("/message-system") && !refusals.isEmpty()) {
      refused.incrementAndGet();
      request.response().setStatusCode(refusals.remove(0)).end("busy");
      return;
    }
    if (refuseAttachments && request.path().startsWith("/attachment/")) {
      request.response().setStatusCode(404).end();
      return;
    }
    request
        .body()
        .compose(
            body ->
                forward(request, body)
                    .compose(
                        response ->
                            response
                                .body()
                                .onSuccess(answer -> relay(request, body, response, answer))))
        .onFailure(e -> request.response().setStatusCode(502).end());
  }

  private Future<HttpClientResponse> forward(HttpServerRequest request, Buffer body) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(request.method())
            .setHost("127.0.0.1")
            .setPort(targetPort)
            .setURI(request.uri());
    FORWARDED.forEach(
        name -> {
          String value = request.getHeader(name);
          if (value != null) {
            options.putHeader(name, value);
          }
        });
    return client.request(options).compose(outgoing -> outgoing.send(body));
  }

  private void relay(
      HttpServerRequest request, Buffer body, HttpClientResponse response, Buffer answer) {
    if (request.path().equals("/message-system") && response.statusCode() == 200) {
      WireMap sent = WireMap.of(Bpickle.decode(body));
      WireMap received = WireMap.of(Bpickle.decode(answer));
      for (Map.Entry<String, BiPredicate<WireMap, WireMap>> rule : rules.entrySet()) {
        if (rule.getValue().test(sent, received) && rules.remove(rule.getKey()) != null) {
          dropped.get(rule.getKey()).incrementAndGet();
          request.connection().close();
          return;
        }
      }
    }
    request.response().setStatusCode(response.statusCode());
    String contentType = response.getHeader("Content-Type");
    if (contentType != null) {
      request.response().putHeader("Content-Type", contentType);
    }
    request.response().end(answer);
  }

  @Override
  public void close() {
    await(server.close());
    await(client.close());
  }
}
