package dev.outpost.common.activity;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActivityMessagesTest {

  /** Verifies that a script message carries the client's required fields, defaults filled in. */
  @Test
  void buildsAnExecuteScriptMessageWithDefaults() {
    ActivityType type = ActivityTypes.find("ExecuteScriptRequest").orElseThrow();

    Map<String, Object> message =
        ActivityMessages.build(
            type, 42, new JsonObject().put("code", "echo hi").put("time_limit", 5));

    assertThat(message)
        .containsEntry("type", "execute-script")
        .containsEntry("operation-id", 42L)
        .containsEntry("code", "echo hi")
        .containsEntry("time-limit", 5L)
        .containsEntry("interpreter", "/bin/sh")
        .containsEntry("username", "root")
        .containsEntry("attachments", Map.of());
  }

  /** Verifies that fixed fields are added and nested values become plain lists and maps. */
  @Test
  void addsFixedFieldsAndPlainValues() {
    assertThat(
            ActivityMessages.build(
                ActivityTypes.find("RestartRequest").orElseThrow(), 1, new JsonObject()))
        .containsEntry("type", "shutdown")
        .containsEntry("reboot", true);

    Map<String, Object> snaps =
        ActivityMessages.build(
            ActivityTypes.find("InstallSnaps").orElseThrow(),
            2,
            new JsonObject().put("snaps", new JsonArray().add(new JsonObject().put("name", "jq"))));
    assertThat(snaps).containsEntry("snaps", List.of(Map.of("name", "jq")));
  }

  /** Verifies that add-user carries every declared field, absent ones as none. */
  @Test
  void addUserHasEveryField() {
    Map<String, Object> message =
        ActivityMessages.build(
            ActivityTypes.find("CreateUserRequest").orElseThrow(),
            3,
            new JsonObject().put("username", "ada"));
    assertThat(message)
        .containsEntry("username", "ada")
        .containsKey("work-number")
        .containsEntry("require-password-reset", null);
  }
}
