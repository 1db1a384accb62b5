package dev.outpost.common.activity;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class SecretParametersTest {

  /**
   * Verifies that the API's view shows a given secret as the marker, held or not, and leaves
   * everything else as it is.
   */
  @Test
  void redactsEveryGivenSecret() {
    JsonObject held = new JsonObject().put("username", "ann").put("password", "hunter2");
    JsonObject dropped = new JsonObject().put("username", "ann").putNull("password");
    JsonObject none = new JsonObject().put("username", "ann");

    assertThat(SecretParameters.redacted(held))
        .isEqualTo(new JsonObject().put("username", "ann").put("password", "********"));
    assertThat(SecretParameters.redacted(dropped))
        .isEqualTo(new JsonObject().put("username", "ann").put("password", "********"));
    assertThat(SecretParameters.redacted(none)).isSameAs(none);
    assertThat(held.getString("password")).as("the original is not changed").isEqualTo("hunter2");
  }

  /**
   * Verifies that a secret given as null is stored as never given, and that a withheld secret is
   * one to give again.
   */
  @Test
  void tellsAWithheldSecretFromOneNeverGiven() {
    JsonObject givenNull = new JsonObject().put("username", "ann").putNull("password");
    JsonObject withheld =
        SecretParameters.withheld(
            new JsonObject().put("username", "ann").put("password", "hunter2"));

    assertThat(SecretParameters.stored(givenNull))
        .isEqualTo(new JsonObject().put("username", "ann"));
    assertThat(withheld).isEqualTo(new JsonObject().put("username", "ann").putNull("password"));
    assertThat(SecretParameters.notHeld(withheld)).containsExactly("password");
    assertThat(SecretParameters.notHeld(new JsonObject().put("token", "t"))).isEmpty();
    assertThat(SecretParameters.notHeld(new JsonObject())).isEmpty();
  }
}
