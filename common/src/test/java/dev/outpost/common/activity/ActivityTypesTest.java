package dev.outpost.common.activity;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActivityTypesTest {

  private static final List<String> SEED_TYPES =
      List.of(
          "ResynchronizeRequest",
          "CreateUserRequest",
          "EditUserRequest",
          "DeleteUserRequest",
          "CreateGroupRequest",
          "AddGroupMemberRequest",
          "RemoveGroupMemberRequest",
          "LockUserRequest",
          "UnlockUserRequest",
          "ChangePackagesRequest",
          "UpgradeAllPackagesRequest",
          "ReleaseUpgradeRequest",
          "ChangePackageProfilesRequest",
          "ChangeRepositoryProfilesRequest",
          "ChangeUpgradeProfilesRequest",
          "UpgradeKernelPackageRequest",
          "DowngradeKernelPackageRequest",
          "SignalProcessRequest",
          "ExecuteScriptRequest",
          "RestartRequest",
          "ShutdownRequest",
          "SyncPocketRequest",
          "InstallSnaps",
          "RemoveSnaps",
          "RefreshSnaps",
          "HoldSnaps",
          "UnholdSnaps",
          "StartChildComputerActivity",
          "StopChildComputerActivity",
          "DeleteChildComputerActivity",
          "SetDefaultChildComputerActivity",
          "ShutdownHostComputerActivity",
          "CreateChildComputerActivity",
          "DeleteUnmanagedWSLInstanceActivity",
          "ArchiveRequest",
          "UsgActivity",
          "GenerateUsgReportActivity",
          "RemoveComputerActivity",
          "AttachProRequest");

  private static final List<String> SERVER_TYPES =
      List.of(
          "SyncPocketRequest",
          "ArchiveRequest",
          "GenerateUsgReportActivity",
          "RemoveComputerActivity");

  /** Verifies that the registry holds the seed's 39 types, in its order, and no other. */
  @Test
  void registersTheSeedTypes() {
    assertThat(ActivityTypes.all())
        .extracting(ActivityType::name)
        .containsExactlyElementsOf(SEED_TYPES)
        .hasSize(39);
  }

  /**
   * Verifies that exactly the four server types run on the server, and every client type has a
   * message.
   */
  @Test
  void everyClientTypeHasAMessageTypeAndServerTypesHaveNone() {
    for (ActivityType type : ActivityTypes.all()) {
      boolean server = SERVER_TYPES.contains(type.name());
      assertThat(type.kind()).as(type.name()).isEqualTo(server ? Kind.SERVER : Kind.CLIENT);
      assertThat(type.messageType().isPresent()).as(type.name()).isEqualTo(!server);
    }
    assertThat(ActivityTypes.find("ExecuteScriptRequest").orElseThrow().messageType())
        .contains("execute-script");
    assertThat(ActivityTypes.find("RestartRequest").orElseThrow().fixedFields())
        .containsEntry("reboot", true);
  }

  /**
   * Verifies that validation names a missing, an ill-typed, an unknown and a disallowed parameter.
   */
  @Test
  void validationNamesEachProblem() {
    ActivityType script = ActivityTypes.find("ExecuteScriptRequest").orElseThrow();
    assertThat(script.validate(new JsonObject().put("code", "echo hi").put("time_limit", 30)))
        .isEmpty();
    assertThat(script.validate(new JsonObject()))
        .containsExactly("missing parameter 'code' for ExecuteScriptRequest");
    assertThat(script.validate(new JsonObject().put("code", 5).put("colour", "red")))
        .containsExactlyInAnyOrder(
            "unknown parameter 'colour' for ExecuteScriptRequest",
            "parameter 'code' must be a string");

    ActivityType usg = ActivityTypes.find("UsgActivity").orElseThrow();
    assertThat(usg.validate(new JsonObject().put("action", "burn").put("profile", "cis")))
        .containsExactly("parameter 'action' must be one of [audit, fix], not 'burn'");

    ActivityType snaps = ActivityTypes.find("InstallSnaps").orElseThrow();
    assertThat(snaps.validate(new JsonObject().put("snaps", new JsonArray().add("hello"))))
        .containsExactly("parameter 'snaps' must be a list of objects");
  }

  /**
   * Verifies that the credentials among the types' parameters are marked secret, and nothing else:
   * the users' passwords and the Ubuntu Pro token.
   */
  @Test
  void marksTheCredentialsSecret() {
    List<String> secret =
        ActivityTypes.all().stream()
            .flatMap(
                type ->
                    type.params().stream()
                        .filter(Param::isSecret)
                        .map(param -> type.name() + "." + param.name()))
            .toList();

    assertThat(secret)
        .containsExactly(
            "CreateUserRequest.password", "EditUserRequest.password", "AttachProRequest.token");
    assertThat(ActivityTypes.secrets()).containsExactly("password", "token");
    assertThat(
            ActivityTypes.find("AttachProRequest")
                .orElseThrow()
                .validate(new JsonObject().put("token", 5)))
        .containsExactly("parameter 'token' must be a string");
  }

  /**
   * Verifies that text PostgreSQL cannot store is refused by name, wherever it is: a NUL in a
   * string, an unpaired surrogate, a NUL in a nested field's name.
   */
  @Test
  void validationRefusesTextThatCannotBeStored() {
    ActivityType script = ActivityTypes.find("ExecuteScriptRequest").orElseThrow();

    assertThat(script.validate(new JsonObject().put("code", "a\u0000b")))
        .containsExactly(
            "parameter 'code' holds a NUL character or an unpaired surrogate,"
                + " which cannot be stored");
    assertThat(
            script.validate(
                new JsonObject().put("code", "x").put("env", new JsonObject().put("K", "\ud800"))))
        .singleElement()
        .asString()
        .startsWith("parameter 'env' holds");
    assertThat(
            script.validate(
                new JsonObject().put("code", "x").put("env", new JsonObject().put("K\u0000", "v"))))
        .singleElement()
        .asString()
        .startsWith("parameter 'env' holds");
    assertThat(script.validate(new JsonObject().put("code", "\ud83d\ude00 fine"))).isEmpty();
  }
}
