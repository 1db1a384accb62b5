package dev.outpost.server.api;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.server.ApiContract;
import dev.outpost.server.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The OpenAPI document of /api/v2: served, and naming exactly the routes the server has. */
@ExtendWith(VertxExtension.class)
class OpenApiTest {

  private static ServerFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that every /api/v2 route of the server's router (method and path) is in the document,
   * and that the document names no operation the router lacks.
   */
  @Test
  void documentNamesExactlyTheRoutesOfTheRouter() {
    Set<String> routed = new TreeSet<>();
    for (Route route : fx.server.httpRoutes()) {
      String path = route.getPath();
      if (path == null || !path.startsWith("/api/v2/") || route.methods() == null) {
        continue; // the token check, the body handler and the fallbacks: every path, no method
      }
      for (HttpMethod method : route.methods()) {
        routed.add(method.name() + " " + path.substring(7).replaceAll(":([A-Za-z]+)", "{$1}"));
      }
    }
    Set<String> documented = new TreeSet<>();
    JsonObject paths = ApiContract.get().document().getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        documented.add(method.toUpperCase(Locale.ROOT) + " " + path);
      }
    }

    assertThat(routed).as("routes of the router").hasSizeGreaterThan(30);
    assertThat(documented).as("operations of the document").isEqualTo(routed);
  }

  /** Verifies that the document is served without a token, as the resource holds it. */
  @Test
  void servesTheDocumentWithoutAToken() {
    HttpResponse<Buffer> response = await(fx.http.get("/api/v2/openapi.json").send());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    JsonObject served = response.bodyAsJsonObject();
    assertThat(served.getString("openapi")).startsWith("3.1.");
    assertThat(served).isEqualTo(ApiContract.get().document());
  }

  /**
   * Verifies that the web client of the tests fails a request whose path the document does not
   * know, and passes an error it describes (a 404, under 4XX).
   */
  @Test
  void testsFailOnAPathTheDocumentLacks() {
    long computer = fx.computer("contract");
    assertThat(fx.get("/computers/" + computer).statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> await(fx.http.get("/api/v2/no-such-thing").send()))
        .hasStackTraceContaining("no operation for the method and path");
    assertThat(fx.get("/computers/999999999").statusCode()).isEqualTo(404);
  }

  /**
   * Verifies that the contract refuses what the document does not describe: a field missing or one
   * too many, a value of the wrong format, an error of another shape, a status not listed for the
   * operation, a method the path lacks.
   */
  @Test
  void contractRefusesResponsesOffTheDocument() {
    ApiContract contract = ApiContract.get();
    JsonObject computer =
        new JsonObject()
            .put("id", 1)
            .put("title", "web-1")
            .put("hostname", null)
            .put("tags", new io.vertx.core.json.JsonArray().add("web"))
            .put("registered_at", "2030-01-01T00:00:00Z")
            .put("last_exchange_at", null)
            .put("pending_messages", 0)
            .put("channel_connected", false);
    String path = "/api/v2/computers/1";
    assertThat(contract.check(HttpMethod.GET, path, json(200, computer))).isEmpty();

    assertThat(contract.check(HttpMethod.GET, path, json(200, computer.copy().put("extra", 1))))
        .get()
        .asString()
        .contains("extra");
    JsonObject missing = computer.copy();
    missing.remove("title");
    assertThat(contract.check(HttpMethod.GET, path, json(200, missing)))
        .get()
        .asString()
        .contains("title");
    assertThat(
            contract.check(
                HttpMethod.GET, path, json(200, computer.copy().put("registered_at", "yesterday"))))
        .get()
        .asString()
        .contains("registered_at");
    assertThat(
            contract.check(
                HttpMethod.GET, path, json(404, new JsonObject().put("message", "no computer"))))
        .get()
        .asString()
        .contains("error");
    assertThat(contract.check(HttpMethod.GET, path, json(201, computer)))
        .get()
        .asString()
        .contains("status 201");
    assertThat(contract.check(HttpMethod.DELETE, path, json(200, computer)))
        .get()
        .asString()
        .contains("no operation");
  }

  private static HttpResponse<Buffer> json(int status, JsonObject body) {
    return new io.vertx.ext.web.client.impl.HttpResponseImpl<>(
        io.vertx.core.http.HttpVersion.HTTP_1_1,
        status,
        "",
        io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json"),
        io.vertx.core.MultiMap.caseInsensitiveMultiMap(),
        java.util.List.of(),
        body.toBuffer(),
        java.util.List.of());
  }
}
