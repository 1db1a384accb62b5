package dev.outpost.agent.handlers;

import dev.outpost.common.wire.WireMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The shadow-utils commands that carry out a user or group message. Names and texts are checked
 * first: a name starting with a dash would be read as an option, a comma or colon would break the
 * passwd file's fields.
 */
final class UserCommands {

  /** The message types, in the order Landscape lists them. */
  static final List<String> TYPES =
      List.of(
          "add-user",
          "edit-user",
          "remove-user",
          "lock-user",
          "unlock-user",
          "add-group",
          "add-group-member",
          "remove-group-member");

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}\\$?");
  private static final List<String> GECOS =
      List.of("name", "location", "work-number", "home-number");

  private UserCommands() {}

  /**
   * The commands for a message, in order.
   *
   * @throws IllegalArgumentException for a bad name or text, naming it
   */
  static List<Commands.Command> of(String type, WireMap message) {
    return switch (type) {
      case "add-user" -> addUser(message);
      case "edit-user" -> editUser(message);
      case "remove-user" ->
          List.of(
              message.optionalBool("delete-home").orElse(false)
                  ? Commands.Command.of("userdel", "--remove", user(message))
                  : Commands.Command.of("userdel", user(message)));
      case "lock-user" -> List.of(Commands.Command.of("usermod", "--lock", user(message)));
      case "unlock-user" -> List.of(Commands.Command.of("usermod", "--unlock", user(message)));
      case "add-group" -> List.of(Commands.Command.of("groupadd", group(message)));
      case "add-group-member" ->
          List.of(Commands.Command.of("gpasswd", "--add", user(message), group(message)));
      case "remove-group-member" ->
          List.of(Commands.Command.of("gpasswd", "--delete", user(message), group(message)));
      default -> throw new IllegalArgumentException("not a user management message: " + type);
    };
  }

  private static List<Commands.Command> addUser(WireMap message) {
    String user = user(message);
    List<String> useradd = new ArrayList<>(List.of("useradd", "--create-home"));
    primaryGroup(message).ifPresent(g -> useradd.addAll(List.of("--gid", g)));
    gecos(message).ifPresent(g -> useradd.addAll(List.of("--comment", g)));
    useradd.add(user);
    List<Commands.Command> commands = new ArrayList<>();
    commands.add(new Commands.Command(useradd, Optional.empty()));
    password(message, user).ifPresent(commands::add);
    if (message.optionalBool("require-password-reset").orElse(false)) {
      commands.add(Commands.Command.of("passwd", "--expire", user));
    }
    return commands;
  }

  private static List<Commands.Command> editUser(WireMap message) {
    String user = user(message);
    List<String> usermod = new ArrayList<>(List.of("usermod"));
    primaryGroup(message).ifPresent(g -> usermod.addAll(List.of("--gid", g)));
    gecos(message).ifPresent(g -> usermod.addAll(List.of("--comment", g)));
    List<Commands.Command> commands = new ArrayList<>();
    if (usermod.size() > 1) {
      usermod.add(user);
      commands.add(new Commands.Command(usermod, Optional.empty()));
    }
    password(message, user).ifPresent(commands::add);
    return commands;
  }

  private static Optional<Commands.Command> password(WireMap message, String user) {
    return message
        .optionalText("password")
        .map(
            password -> {
              if (password.contains("\n") || password.contains("\r")) {
                throw new IllegalArgumentException("a password cannot contain a line break");
              }
              return new Commands.Command(
                  List.of("chpasswd"), Optional.of(user + ":" + password + "\n"));
            });
  }

  /** name,location,work-number,home-number, when any of them is given. */
  private static Optional<String> gecos(WireMap message) {
    List<String> fields = new ArrayList<>();
    boolean any = false;
    for (String key : GECOS) {
      Optional<String> value = message.optionalText(key);
      any |= value.isPresent();
      String text = value.orElse("");
      if (text.contains(",") || text.contains(":") || text.contains("\n")) {
        throw new IllegalArgumentException(
            "'" + key + "' cannot contain a comma, a colon or a " + "line break");
      }
      fields.add(text);
    }
    return any ? Optional.of(String.join(",", fields)) : Optional.empty();
  }

  private static Optional<String> primaryGroup(WireMap message) {
    return message
        .optionalText("primary-group-name")
        .filter(g -> !g.isEmpty())
        .map(g -> checked("primary-group-name", g));
  }

  private static String user(WireMap message) {
    return checked("username", message.text("username"));
  }

  private static String group(WireMap message) {
    return checked("groupname", message.text("groupname"));
  }

  private static String checked(String key, String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + name + "' is not a valid " + key);
    }
    return name;
  }
}
