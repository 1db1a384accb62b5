package dev.outpost.agent.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.common.wire.WireMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The system commands user and group messages turn into. */
class UserCommandsTest {

  /**
   * Verifies that add-user becomes useradd with group and GECOS, chpasswd with the password on its
   * stdin, and passwd --expire.
   */
  @Test
  void addsAUserWithItsDetails() {
    Map<String, Object> message = new HashMap<>();
    message.put("username", "jane");
    message.put("name", "Jane Doe");
    message.put("location", "Lab 2");
    message.put("work-number", null);
    message.put("home-number", null);
    message.put("primary-group-name", "staff");
    message.put("password", "s3cret:x");
    message.put("require-password-reset", true);

    List<Commands.Command> commands = UserCommands.of("add-user", WireMap.of(message));

    assertThat(commands)
        .extracting(Commands.Command::argv)
        .containsExactly(
            List.of(
                "useradd",
                "--create-home",
                "--gid",
                "staff",
                "--comment",
                "Jane Doe,Lab 2,,",
                "jane"),
            List.of("chpasswd"),
            List.of("passwd", "--expire", "jane"));
    assertThat(commands.get(1).stdin()).contains("jane:s3cret:x\n");
    assertThat(commands.get(1).toString()).doesNotContain("s3cret");
  }

  /** Verifies that each other user and group message becomes its command. */
  @Test
  void mapsEachMessageToItsCommand() {
    assertThat(argv("remove-user", Map.of("username", "jane", "delete-home", true)))
        .containsExactly(List.of("userdel", "--remove", "jane"));
    assertThat(argv("lock-user", Map.of("username", "jane")))
        .containsExactly(List.of("usermod", "--lock", "jane"));
    assertThat(argv("unlock-user", Map.of("username", "jane")))
        .containsExactly(List.of("usermod", "--unlock", "jane"));
    assertThat(argv("add-group", Map.of("groupname", "ops")))
        .containsExactly(List.of("groupadd", "ops"));
    assertThat(argv("add-group-member", Map.of("username", "jane", "groupname", "ops")))
        .containsExactly(List.of("gpasswd", "--add", "jane", "ops"));
    assertThat(argv("remove-group-member", Map.of("username", "jane", "groupname", "ops")))
        .containsExactly(List.of("gpasswd", "--delete", "jane", "ops"));
    assertThat(argv("edit-user", Map.of("username", "jane"))).isEmpty();
  }

  /** Verifies that a name that would be read as an option, or break /etc/passwd, is refused. */
  @Test
  void refusesNamesAndTextsThatWouldBeMisread() {
    assertThatThrownBy(() -> argv("add-user", Map.of("username", "--help")))
        .hasMessageContaining("not a valid username");
    assertThatThrownBy(() -> argv("add-group", Map.of("groupname", "a b")))
        .hasMessageContaining("not a valid groupname");
    assertThatThrownBy(() -> argv("edit-user", Map.of("username", "jane", "name", "Doe, Jane")))
        .hasMessageContaining("comma");
  }

  /** Verifies that shutdown waits a few minutes so the result reaches the server first. */
  @Test
  void shutsDownAFewMinutesLater() {
    assertThat(ShutdownHandler.command(true).argv()).startsWith("shutdown", "-r", "+4");
    assertThat(ShutdownHandler.command(false).argv()).startsWith("shutdown", "-h", "+4");
    assertThat(ShutdownHandler.command(true).stdin()).isEqualTo(Optional.empty());
  }

  private static List<List<String>> argv(String type, Map<String, Object> message) {
    return UserCommands.of(type, WireMap.of(message)).stream().map(Commands.Command::argv).toList();
  }
}
