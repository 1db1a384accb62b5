package dev.outpost.server.auth;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.wire.Bpickle;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Guessing passwords and tokens is limited per account as well as per address: 429 with
 * Retry-After, counted in /metrics.
 */
@ExtendWith(VertxExtension.class)
class BruteForceTest {

  private static final int PER_ACCOUNT = 3;

  /**
   * Verifies that wrong passwords for one email are refused 429 after the account's allowance, even
   * the right one then, while another email from the same address is still only refused 401; that
   * bad tokens claiming one account are limited likewise; that the minute's end lifts it; and that
   * /metrics counts failures and refusals.
   */
  @Test
  void guessesAimedAtOneAccountAreLimited(Vertx vertx) {
    try (ServerFixture fx =
        new ServerFixture(
            vertx,
            Map.of(
                "OUTPOST_FAILED_ATTEMPTS_PER_MINUTE",
                "1000",
                "OUTPOST_FAILED_ATTEMPTS_PER_ACCOUNT_PER_MINUTE",
                Integer.toString(PER_ACCOUNT)),
            Map.of())) {
      String password = "the right password";
      String email = administrator(fx, password);
      String other = administrator(fx, password);

      Supplier<HttpResponse<Buffer>> guess = () -> AuthApiTest.loginAt(fx, email, "guess");
      for (int i = 0; i < PER_ACCOUNT; i++) {
        assertThat(guess.get().statusCode()).isEqualTo(401);
      }
      HttpResponse<Buffer> limited = guess.get();
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(Integer.parseInt(limited.getHeader("Retry-After"))).isBetween(1, 60);
      assertThat(AuthApiTest.loginAt(fx, email, password).statusCode()).isEqualTo(429);
      assertThat(AuthApiTest.loginAt(fx, other, "guess").statusCode()).isEqualTo(401);

      Supplier<Integer> badToken =
          () ->
              await(
                      fx.http
                          .get("/api/v2/activities")
                          .bearerTokenAuthentication(
                              "outpost_" + fx.accountId + "_" + "A".repeat(43))
                          .send())
                  .statusCode();
      for (int i = 0; i < PER_ACCOUNT; i++) {
        assertThat(badToken.get()).isEqualTo(401);
      }
      assertThat(badToken.get()).isEqualTo(429);
      // the bootstrap token claims no account: the address's allowance alone applies
      assertThat(fx.get("/activities").statusCode()).isEqualTo(200);

      String metrics = await(fx.http.get("/metrics").send()).bodyAsString();
      assertThat(metrics)
          .contains("outpost_failed_credentials_total{kind=\"password\"}")
          .contains("outpost_failed_credentials_total{kind=\"token\"}")
          .contains("outpost_refused_credentials_total{over=\"account\"}");

      fx.clock.advance(Duration.ofSeconds(61));
      assertThat(AuthApiTest.loginAt(fx, email, password).statusCode()).isEqualTo(200);
    }
  }

  /**
   * Verifies that wrong registration keys naming one account are limited per account, while a
   * registration naming another account is still answered.
   */
  @Test
  void registrationKeysGuessedForOneAccountAreLimited(Vertx vertx) {
    try (ServerFixture fx =
        new ServerFixture(
            vertx,
            Map.of(
                "OUTPOST_FAILED_ATTEMPTS_PER_MINUTE",
                "1000",
                "OUTPOST_FAILED_ATTEMPTS_PER_ACCOUNT_PER_MINUTE",
                Integer.toString(PER_ACCOUNT)),
            Map.of())) {
      for (int i = 0; i < PER_ACCOUNT; i++) {
        assertThat(register(fx, fx.accountName).statusCode()).isEqualTo(200);
      }
      assertThat(register(fx, fx.accountName).statusCode()).isEqualTo(429);
      assertThat(register(fx, "another-" + fx.accountName).statusCode()).isEqualTo(200);
      assertThat(await(fx.http.get("/metrics").send()).bodyAsString())
          .contains("outpost_failed_credentials_total{kind=\"registration-key\"}");
    }
  }

  private static HttpResponse<Buffer> register(ServerFixture fx, String account) {
    ProtocolClient client = new ProtocolClient(fx.http);
    client.secureId = null;
    Map<String, Object> register =
        Map.of(
            "type",
            "register",
            "account_name",
            account,
            "registration_password",
            "guess",
            "computer_title",
            "intruder");
    return await(
        client
            .request()
            .sendBuffer(Buffer.buffer(Bpickle.encode(Map.of("messages", List.of(register))))));
  }

  /** Verifies that wrong passwords from one address are limited whatever email they name. */
  @Test
  void guessesFromOneAddressAreLimited(Vertx vertx) {
    try (ServerFixture fx =
        new ServerFixture(
            vertx,
            Map.of(
                "OUTPOST_FAILED_ATTEMPTS_PER_MINUTE", "3",
                "OUTPOST_FAILED_ATTEMPTS_PER_ACCOUNT_PER_MINUTE", "1000"),
            Map.of())) {
      for (int i = 0; i < 3; i++) {
        assertThat(AuthApiTest.loginAt(fx, "guess" + i + "@example.com", "guess").statusCode())
            .isEqualTo(401);
      }
      HttpResponse<Buffer> limited = AuthApiTest.loginAt(fx, "guess9@example.com", "guess");
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.getHeader("Retry-After")).isNotNull();
      assertThat(await(fx.http.get("/metrics").send()).bodyAsString())
          .contains("outpost_refused_credentials_total{over=\"address\"}");
    }
  }

  private static String administrator(ServerFixture fx, String password) {
    String email = TestSupport.unique("guessed") + "@example.com";
    HttpResponse<Buffer> created =
        fx.post(
            "/administrators",
            new JsonObject()
                .put("email", email)
                .put("roles", new JsonArray().add("viewer"))
                .put("password", password));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return email;
  }
}
