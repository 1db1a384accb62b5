package dev.outpost.common.activity;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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

  /**
   * Verifies that every message Outpost sends to the Landscape Client, built from the fewest
   * parameters its activity type accepts, has every key the client's handler reads unchecked
   * (landscape-client-reads.json, which scripts/conformance checks against the client's source),
   * and each item of a list the keys the client reads of it.
   */
  @Test
  void everyMessageHasWhatTheLandscapeClientReads() throws IOException {
    JsonObject reads;
    try (InputStream in =
        ActivityMessagesTest.class.getResourceAsStream("/landscape-client-reads.json")) {
      reads = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    JsonObject types = reads.getJsonObject("types");
    JsonObject items = reads.getJsonObject("items");
    int checked = 0;
    for (ActivityType type : ActivityTypes.all()) {
      String messageType = type.messageType().orElse(null);
      if (messageType == null || !types.containsKey(messageType)) {
        continue;
      }
      JsonObject fewest = fewestParameters(type, items);
      assertThat(type.validate(fewest)).as(type.name()).isEmpty();
      Map<String, Object> message = ActivityMessages.build(type, 7, fewest);
      for (Object key : types.getJsonObject(messageType).getJsonArray("keys")) {
        assertThat(message).as(type.name() + " -> " + messageType).containsKey((String) key);
      }
      checked++;
    }
    // every type the table names is sent by some activity type
    assertThat(checked).isGreaterThanOrEqualTo(types.size());
  }

  /** Verifies that a snap without a name and a release upgrade without its tool are refused. */
  @Test
  void parametersTheClientCannotDoWithoutAreRequired() {
    ActivityType snaps = ActivityTypes.find("InstallSnaps").orElseThrow();
    assertThat(
            snaps.validate(
                new JsonObject()
                    .put("snaps", new JsonArray().add(new JsonObject().put("args", "x")))))
        .containsExactly("each item of parameter 'snaps' must give 'name' as a string");
    assertThat(
            ActivityTypes.find("ReleaseUpgradeRequest")
                .orElseThrow()
                .validate(new JsonObject().put("code_name", "noble")))
        .containsExactlyInAnyOrder(
            "missing parameter 'upgrade_tool_tarball_url' for ReleaseUpgradeRequest",
            "missing parameter 'upgrade_tool_signature_url' for ReleaseUpgradeRequest");
  }

  /** The required parameters only, each a plain value of its shape. */
  private static JsonObject fewestParameters(ActivityType type, JsonObject items) {
    JsonObject parameters = new JsonObject();
    for (Param param : type.params()) {
      if (!param.required()) {
        continue;
      }
      Object value =
          switch (param.type()) {
            case STRING, SECRET -> param.allowed().isEmpty() ? "value" : param.allowed().get(0);
            case INT -> 1;
            case BOOL -> true;
            case STRING_LIST -> new JsonArray().add("value");
            case INT_LIST -> new JsonArray().add(1);
            case OBJECT -> new JsonObject();
            case OBJECT_LIST -> {
              JsonObject item = new JsonObject();
              for (Object key : items.getJsonArray(param.name(), new JsonArray())) {
                item.put((String) key, "value");
              }
              yield new JsonArray().add(item);
            }
          };
      parameters.put(param.name(), value);
    }
    return parameters;
  }
}
