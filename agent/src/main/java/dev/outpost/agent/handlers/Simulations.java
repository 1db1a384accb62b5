package dev.outpost.agent.handlers;

import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.WireMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Says, for a simulated operation, what a real agent would have done. */
final class Simulations {

  private static final Map<String, String> SNAP_VERBS =
      Map.of(
          "install-snaps",
          "installed",
          "remove-snaps",
          "removed",
          "refresh-snaps",
          "refreshed",
          "hold-snaps",
          "held",
          "unhold-snaps",
          "released the hold on");

  private static final Map<String, String> CHILD_VERBS =
      Map.of(
          "start-child-computer",
          "started",
          "stop-child-computer",
          "stopped",
          "delete-child-computer",
          "deleted",
          "set-default-child-computer",
          "made default");

  private static final Map<String, String> USER_VERBS =
      Map.of(
          "add-user",
          "added user",
          "edit-user",
          "edited user",
          "remove-user",
          "removed user",
          "lock-user",
          "locked user",
          "unlock-user",
          "unlocked user",
          "add-group",
          "added group",
          "add-group-member",
          "added a member to group",
          "remove-group-member",
          "removed a member from group");

  private Simulations() {}

  /** "simulated: would have ..." for the message. */
  static String describe(String type, WireMap message) {
    return "simulated: would have " + action(type, message);
  }

  private static String action(String type, WireMap message) {
    if (SNAP_VERBS.containsKey(type)) {
      return SNAP_VERBS.get(type) + " snaps " + snapNames(message);
    }
    if (CHILD_VERBS.containsKey(type)) {
      return CHILD_VERBS.get(type) + " child computer " + field(message, "child-id");
    }
    if (USER_VERBS.containsKey(type)) {
      String name =
          type.contains("group") && !type.contains("member")
              ? field(message, "groupname")
              : field(message, "username");
      String group = type.endsWith("group-member") ? " " + field(message, "groupname") : "";
      return USER_VERBS.get(type) + group + " " + name;
    }
    return switch (type) {
      case "change-packages" -> "changed packages: " + packageChanges(message);
      case "apt-sources-replace" ->
          "replaced the APT sources with "
              + message.optionalList("sources").map(List::size).orElse(0)
              + " source(s)";
      case "release-upgrade" -> "upgraded the release to " + field(message, "code-name");
      case "attach-pro" -> "attached Ubuntu Pro with the given token";
      case "usg" ->
          "run a USG " + field(message, "action") + " with profile " + field(message, "profile");
      case "shutdown-host-computer" -> "shut the host computer down";
      case "create-child-computer" -> "created child computer " + field(message, "computer-name");
      case "delete-unmanaged-wsl-instance" ->
          "deleted the unmanaged WSL instance " + field(message, "instance-name");
      case "execute-script" ->
          "run a script with "
              + field(message, "interpreter")
              + " as "
              + field(message, "username");
      case "signal-process" ->
          "sent SIG"
              + field(message, "signal")
              + " to process "
              + field(message, "pid")
              + " ("
              + field(message, "name")
              + ")";
      case "shutdown" ->
          Boolean.TRUE.equals(message.get("reboot"))
              ? "rebooted the computer"
              : "shut the computer down";
      default -> "handled " + type;
    };
  }

  private static String packageChanges(WireMap message) {
    List<String> parts = new ArrayList<>();
    for (String key : List.of("install", "upgrade", "remove", "hold", "remove-hold")) {
      Object value = message.get(key);
      if (value instanceof List<?> list && !list.isEmpty()) {
        parts.add(key + " " + list);
      }
    }
    if (Boolean.TRUE.equals(message.get("upgrade-all"))) {
      parts.add("upgrade all");
    }
    return parts.isEmpty() ? "nothing to change" : String.join(", ", parts);
  }

  private static String snapNames(WireMap message) {
    Object value = message.get("snaps");
    List<String> names = new ArrayList<>();
    if (value instanceof List<?> snaps) {
      for (Object snap : snaps) {
        names.add(snap instanceof Map<?, ?> map ? text(map.get("name")) : text(snap));
      }
    }
    return names.toString();
  }

  private static String field(WireMap message, String key) {
    return text(message.get(key));
  }

  private static String text(Object value) {
    if (value instanceof Bytes bytes) {
      return bytes.toString();
    }
    return value == null ? "?" : String.valueOf(value);
  }
}
