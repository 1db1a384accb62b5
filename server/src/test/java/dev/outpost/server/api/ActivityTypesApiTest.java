package dev.outpost.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.activity.Param;
import dev.outpost.server.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GET /activity-types: the registry, as admins read it. */
@ExtendWith(VertxExtension.class)
class ActivityTypesApiTest {

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
   * Verifies that all 39 types are listed in the registry's order, each with its kind, message type
   * and every parameter's name, requirement and secrecy as the registry has them.
   */
  @Test
  void listsEveryTypeWithItsParameters() {
    JsonArray listed = fx.get("/activity-types").bodyAsJsonObject().getJsonArray("results");

    List<ActivityType> registry = List.copyOf(ActivityTypes.all());
    assertThat(listed).hasSize(39).hasSameSizeAs(registry);
    for (int i = 0; i < registry.size(); i++) {
      ActivityType type = registry.get(i);
      JsonObject shown = listed.getJsonObject(i);
      assertThat(shown.getString("name")).isEqualTo(type.name());
      assertThat(shown.getString("kind")).isEqualTo(type.kind().wireName());
      assertThat(shown.getString("message_type")).isEqualTo(type.messageType().orElse(null));
      JsonArray parameters = shown.getJsonArray("parameters");
      assertThat(parameters).hasSameSizeAs(type.params());
      for (int p = 0; p < type.params().size(); p++) {
        Param param = type.params().get(p);
        JsonObject described = parameters.getJsonObject(p);
        assertThat(described.getString("name")).isEqualTo(param.name());
        assertThat(described.getBoolean("required")).isEqualTo(param.required());
        assertThat(described.getBoolean("secret")).isEqualTo(param.isSecret());
        assertThat(described.getString("type")).isNotBlank();
      }
    }
  }

  /** Verifies a few entries as an admin would read them: shapes, secrets and allowed values. */
  @Test
  void describesParametersAsAdminsWriteThem() {
    JsonArray listed = fx.get("/activity-types").bodyAsJsonObject().getJsonArray("results");

    JsonObject script = find(listed, "ExecuteScriptRequest");
    assertThat(script.getString("kind")).isEqualTo("client");
    assertThat(script.getString("message_type")).isEqualTo("execute-script");
    assertThat(script.getString("targets")).isEqualTo("computers");
    assertThat(parameter(script, "code"))
        .isEqualTo(
            new JsonObject()
                .put("name", "code")
                .put("type", "string")
                .put("required", true)
                .put("secret", false)
                .putNull("allowed"));
    assertThat(parameter(script, "time_limit").getString("type")).isEqualTo("integer");
    assertThat(parameter(find(listed, "CreateUserRequest"), "password").getBoolean("secret"))
        .isTrue();
    assertThat(parameter(find(listed, "UsgActivity"), "action").getJsonArray("allowed"))
        .containsExactly("audit", "fix");
    JsonObject archive = find(listed, "ArchiveRequest");
    assertThat(archive.getString("kind")).isEqualTo("server");
    assertThat(archive.getValue("message_type")).isNull();
    assertThat(archive.getString("targets")).isEqualTo("none");
  }

  private static JsonObject find(JsonArray types, String name) {
    return types.stream()
        .map(JsonObject.class::cast)
        .filter(type -> type.getString("name").equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static JsonObject parameter(JsonObject type, String name) {
    return type.getJsonArray("parameters").stream()
        .map(JsonObject.class::cast)
        .filter(param -> param.getString("name").equals(name))
        .findFirst()
        .orElseThrow();
  }
}
