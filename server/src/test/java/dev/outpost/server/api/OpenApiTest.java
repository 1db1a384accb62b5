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
   * Verifies that the contract refuses what it should: a body off its schema, a status the document
   * does not list, a path it does not know.
   */
  @Test
  void contractRefusesWhatTheDocumentDoesNotDescribe() {
    // an error's shape: {"error", "message"} and nothing else
    long computer = fx.computer("contract");
    assertThat(fx.get("/computers/" + computer).statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> await(fx.http.get("/api/v2/no-such-thing").send()))
        .hasStackTraceContaining("no operation for the method and path");
    // a request the server answers with a 404 Error still passes, under 4XX
    assertThat(fx.get("/computers/999999999").statusCode()).isEqualTo(404);
  }
}
