package dev.outpost.common.activity;

import static dev.outpost.common.activity.Param.oneOf;
import static dev.outpost.common.activity.Param.optional;
import static dev.outpost.common.activity.Param.required;
import static dev.outpost.common.activity.ParamType.BOOL;
import static dev.outpost.common.activity.ParamType.INT;
import static dev.outpost.common.activity.ParamType.INT_LIST;
import static dev.outpost.common.activity.ParamType.OBJECT;
import static dev.outpost.common.activity.ParamType.OBJECT_LIST;
import static dev.outpost.common.activity.ParamType.SECRET;
import static dev.outpost.common.activity.ParamType.STRING;
import static dev.outpost.common.activity.ParamType.STRING_LIST;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The registry of the specification's 39 activity types. */
public final class ActivityTypes {

  private static final Map<String, ActivityType> TYPES = new LinkedHashMap<>();

  /** Every parameter name some type takes as a secret; set once the types are registered. */
  private static final List<String> SECRET_NAMES;

  private static final Param USERNAME = required("username", STRING);
  private static final Param GROUPNAME = required("groupname", STRING);
  private static final Param CHILD_ID = required("child_id", STRING);
  private static final List<Param> PACKAGE_CHANGES =
      List.of(
          optional("install", STRING_LIST),
          optional("remove", STRING_LIST),
          optional("hold", STRING_LIST),
          optional("remove_hold", STRING_LIST),
          optional("policy", STRING),
          optional("reboot_if_necessary", BOOL));
  // the Landscape Client reads each snap's name, and a release upgrade's tool URLs, unchecked
  private static final List<Param> SNAPS = List.of(Param.requiredObjects("snaps", "name"));
  private static final List<Param> USER_DETAILS =
      List.of(
          optional("name", STRING),
          optional("password", SECRET),
          optional("primary_group_name", STRING),
          optional("location", STRING),
          optional("work_number", STRING),
          optional("home_number", STRING));

  static {
    client("ResynchronizeRequest", "resynchronize", optional("scopes", STRING_LIST));
    client(
        "CreateUserRequest",
        "add-user",
        concat(List.of(USERNAME, optional("require_password_reset", BOOL)), USER_DETAILS));
    client("EditUserRequest", "edit-user", concat(List.of(USERNAME), USER_DETAILS));
    client("DeleteUserRequest", "remove-user", USERNAME, optional("delete_home", BOOL));
    client("CreateGroupRequest", "add-group", GROUPNAME);
    client("AddGroupMemberRequest", "add-group-member", USERNAME, GROUPNAME);
    client("RemoveGroupMemberRequest", "remove-group-member", USERNAME, GROUPNAME);
    client("LockUserRequest", "lock-user", USERNAME);
    client("UnlockUserRequest", "unlock-user", USERNAME);
    client(
        "ChangePackagesRequest",
        "change-packages",
        concat(
            PACKAGE_CHANGES,
            List.of(optional("upgrade", STRING_LIST), optional("upgrade_all", BOOL))));
    register(
        "UpgradeAllPackagesRequest",
        Kind.CLIENT,
        "change-packages",
        Targets.COMPUTERS,
        List.of(optional("reboot_if_necessary", BOOL)),
        Map.of("upgrade-all", true));
    client(
        "ReleaseUpgradeRequest",
        "release-upgrade",
        required("code_name", STRING),
        required("upgrade_tool_tarball_url", STRING),
        required("upgrade_tool_signature_url", STRING));
    client("ChangePackageProfilesRequest", "change-packages", PACKAGE_CHANGES);
    client(
        "ChangeRepositoryProfilesRequest",
        "apt-sources-replace",
        required("sources", OBJECT_LIST),
        optional("gpg_keys", STRING_LIST));
    register(
        "ChangeUpgradeProfilesRequest",
        Kind.CLIENT,
        "change-packages",
        Targets.COMPUTERS,
        List.of(optional("reboot_if_necessary", BOOL)),
        Map.of("upgrade-all", true));
    client(
        "UpgradeKernelPackageRequest",
        "change-packages",
        required("install", STRING_LIST),
        optional("reboot_if_necessary", BOOL));
    client(
        "DowngradeKernelPackageRequest",
        "change-packages",
        required("install", STRING_LIST),
        optional("remove", STRING_LIST),
        optional("reboot_if_necessary", BOOL));
    client(
        "SignalProcessRequest",
        "signal-process",
        required("pid", INT),
        required("name", STRING),
        required("start_time", INT),
        required("signal", STRING));
    client(
        "ExecuteScriptRequest",
        "execute-script",
        required("code", STRING),
        optional("interpreter", STRING),
        optional("username", STRING),
        optional("time_limit", INT),
        optional("attachments", OBJECT),
        optional("env", OBJECT),
        optional("script_id", INT),
        optional("script_version", INT));
    register(
        "RestartRequest",
        Kind.CLIENT,
        "shutdown",
        Targets.COMPUTERS,
        List.of(),
        Map.of("reboot", true));
    register(
        "ShutdownRequest",
        Kind.CLIENT,
        "shutdown",
        Targets.COMPUTERS,
        List.of(),
        Map.of("reboot", false));
    server(
        "SyncPocketRequest",
        Targets.NONE,
        required("source_url", STRING),
        required("pocket", STRING));
    client("InstallSnaps", "install-snaps", SNAPS);
    client("RemoveSnaps", "remove-snaps", SNAPS);
    client("RefreshSnaps", "refresh-snaps", SNAPS);
    client("HoldSnaps", "hold-snaps", SNAPS);
    client("UnholdSnaps", "unhold-snaps", SNAPS);
    client("StartChildComputerActivity", "start-child-computer", CHILD_ID);
    client("StopChildComputerActivity", "stop-child-computer", CHILD_ID);
    client("DeleteChildComputerActivity", "delete-child-computer", CHILD_ID);
    client("SetDefaultChildComputerActivity", "set-default-child-computer", CHILD_ID);
    client("ShutdownHostComputerActivity", "shutdown-host-computer");
    client(
        "CreateChildComputerActivity",
        "create-child-computer",
        required("computer_name", STRING),
        optional("distribution", STRING),
        optional("cloud_init", STRING));
    client(
        "DeleteUnmanagedWSLInstanceActivity",
        "delete-unmanaged-wsl-instance",
        required("instance_name", STRING));
    server("ArchiveRequest", Targets.NONE, required("older_than_days", INT));
    client(
        "UsgActivity",
        "usg",
        oneOf("action", "audit", "fix"),
        required("profile", STRING),
        optional("run_id", STRING));
    server("GenerateUsgReportActivity", Targets.NONE, optional("computer_ids", INT_LIST));
    server("RemoveComputerActivity", Targets.COMPUTERS);
    client("AttachProRequest", "attach-pro", required("token", SECRET));
    SECRET_NAMES = secretNames();
  }

  private ActivityTypes() {}

  /** Looks a type up by the specification's name. */
  public static Optional<ActivityType> find(String name) {
    return Optional.ofNullable(TYPES.get(name));
  }

  /** All types, in the specification's order. */
  public static Collection<ActivityType> all() {
    return TYPES.values();
  }

  /**
   * The names of the secret parameters of all types. A name is secret in every type that takes it
   * (checked when the registry loads), so the name alone marks a secret: in a group's parameters,
   * in SQL that treats many types at once, in the archive.
   */
  public static List<String> secrets() {
    return SECRET_NAMES;
  }

  private static List<String> secretNames() {
    Set<String> secret = new LinkedHashSet<>();
    TYPES
        .values()
        .forEach(
            type ->
                type.params().stream()
                    .filter(Param::isSecret)
                    .forEach(param -> secret.add(param.name())));
    for (ActivityType type : TYPES.values()) {
      for (Param param : type.params()) {
        if (secret.contains(param.name()) && !param.isSecret()) {
          throw new IllegalStateException(
              "parameter '"
                  + param.name()
                  + "' of "
                  + type.name()
                  + " must be secret: another type takes a secret of that name");
        }
      }
    }
    return List.copyOf(secret);
  }

  private static void client(String name, String messageType, Param... params) {
    client(name, messageType, List.of(params));
  }

  private static void client(String name, String messageType, List<Param> params) {
    register(name, Kind.CLIENT, messageType, Targets.COMPUTERS, params, Map.of());
  }

  private static void server(String name, Targets targets, Param... params) {
    register(name, Kind.SERVER, null, targets, List.of(params), Map.of());
  }

  private static void register(
      String name,
      Kind kind,
      String messageType,
      Targets targets,
      List<Param> params,
      Map<String, Object> fixedFields) {
    TYPES.put(
        name,
        new ActivityType(
            name,
            kind,
            Optional.ofNullable(messageType),
            targets,
            List.copyOf(params),
            Map.copyOf(fixedFields)));
  }

  private static List<Param> concat(List<Param> first, List<Param> second) {
    return java.util.stream.Stream.concat(first.stream(), second.stream()).toList();
  }
}
