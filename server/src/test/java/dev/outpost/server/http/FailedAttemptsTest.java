package dev.outpost.server.http;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Guessing costs time: an address that sends too many failed credentials in a minute, of any kind,
 * gets 429 with a Retry-After until the minute is over.
 */
@ExtendWith(VertxExtension.class)
class FailedAttemptsTest {

  private static final int PER_MINUTE = 3;
  private static ServerFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx =
        new ServerFixture(
            vertx,
            Map.of("OUTPOST_FAILED_ATTEMPTS_PER_MINUTE", Integer.toString(PER_MINUTE)),
            Map.of());
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /** Each test starts in a window of its own. */
  @BeforeEach
  void nextWindow() {
    fx.clock.advance(Duration.ofMinutes(2));
  }

  /** Verifies that bad admin tokens are refused with 401, then 429 until the minute is over. */
  @Test
  void badAdminTokensAreLimited() {
    Supplier<HttpResponse<Buffer>> guess =
        () -> await(fx.http.get("/api/v2/activities").bearerTokenAuthentication("guess").send());

    assertLimited(guess, 401);
    HttpResponse<Buffer> limited = guess.get();
    assertThat(limited.getHeader("Retry-After")).isNotNull();
    assertThat(limited.bodyAsJsonObject().getString("error")).isEqualTo("too-many-requests");

    fx.clock.advance(Duration.ofSeconds(61));
    assertThat(guess.get().statusCode()).isEqualTo(401);
  }

  /** Verifies that wrong registration keys are refused, then answered 429. */
  @Test
  void wrongRegistrationKeysAreLimited() {
    Supplier<HttpResponse<Buffer>> guess =
        () -> {
          ProtocolClient client = new ProtocolClient(fx.http);
          client.secureId = null;
          Map<String, Object> register =
              Map.of(
                  "type",
                  "register",
                  "account_name",
                  fx.accountName,
                  "registration_password",
                  "guess",
                  "computer_title",
                  "intruder");
          return await(
              client
                  .request()
                  .sendBuffer(
                      Buffer.buffer(Bpickle.encode(Map.of("messages", List.of(register))))));
        };

    for (int i = 0; i < PER_MINUTE; i++) {
      HttpResponse<Buffer> refused = guess.get();
      assertThat(refused.statusCode()).isEqualTo(200);
      assertThat(WireMap.of(Bpickle.decode(refused.body())).mapList("messages"))
          .singleElement()
          .satisfies(m -> assertThat(m.text("info")).isEqualTo("unknown-account"));
    }
    assertThat(guess.get().statusCode()).isEqualTo(429);
  }

  /** Verifies that unknown secure-ids are answered unknown-id, then 429. */
  @Test
  void unknownSecureIdsAreLimited() {
    Supplier<HttpResponse<Buffer>> guess =
        () -> {
          ProtocolClient client = new ProtocolClient(fx.http);
          client.secureId = "guess";
          return await(
              client
                  .request()
                  .sendBuffer(Buffer.buffer(Bpickle.encode(Map.of("messages", List.of())))));
        };

    assertLimited(guess, 200);
  }

  /** Verifies that a known computer's exchanges go on from an address that is limited. */
  @Test
  void aKnownComputerIsNotLimited() {
    ProtocolClient agent = ProtocolClient.registered(fx, "known-1");
    for (int i = 0; i <= PER_MINUTE; i++) {
      await(fx.http.get("/api/v2/activities").bearerTokenAuthentication("guess").send());
    }

    assertThat(agent.exchange(List.of()).has("next-exchange-token")).isTrue();
  }

  private static void assertLimited(Supplier<HttpResponse<Buffer>> guess, int refusal) {
    for (int i = 0; i < PER_MINUTE; i++) {
      assertThat(guess.get().statusCode()).isEqualTo(refusal);
    }
    assertThat(guess.get().statusCode()).isEqualTo(429);
  }
}
