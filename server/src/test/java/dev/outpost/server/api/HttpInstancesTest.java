package dev.outpost.server.api;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The HTTP front deployed several times over one port, one event loop each. */
@ExtendWith(VertxExtension.class)
class HttpInstancesTest {

  /**
   * Verifies that three HTTP instances listen on one port and that requests over many connections
   * all see the same server: each is authenticated, and each lists the activity one of them
   * created. Which instance serves which connection is Vert.x's to choose.
   */
  @Test
  void instancesShareOnePortAndOneServer(Vertx vertx) throws IOException {
    // instances share a port they name; a random one (0) would give each its own
    try (ServerFixture fx =
        new ServerFixture(
            vertx,
            Map.of("OUTPOST_HTTP_INSTANCES", "3", "OUTPOST_HTTP_PORT", String.valueOf(freePort())),
            Map.of())) {
      assertThat(fx.server.httpPorts()).hasSize(3).containsOnly(fx.server.httpPort());
      long computer = fx.computer("shared");
      long id = fx.post("/activities", script(computer)).bodyAsJsonObject().getLong("id");
      WebClient many =
          WebClient.create(
              vertx,
              new WebClientOptions()
                  .setDefaultHost("127.0.0.1")
                  .setDefaultPort(fx.server.httpPort())
                  .setKeepAlive(false),
              new PoolOptions().setHttp1MaxSize(12));
      try {
        List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
          answers.add(
              many.get("/api/v2/activities")
                  .addQueryParam("query", "computer-id:" + computer)
                  .bearerTokenAuthentication(fx.token)
                  .send());
        }
        await(Future.all(answers));
        for (Future<HttpResponse<Buffer>> answer : answers) {
          assertThat(answer.result().statusCode()).isEqualTo(200);
          JsonObject page = answer.result().bodyAsJsonObject();
          assertThat(page.getLong("count")).isEqualTo(1);
          assertThat(page.getJsonArray("results").getJsonObject(0).getLong("id")).isEqualTo(id);
        }
      } finally {
        many.close();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
