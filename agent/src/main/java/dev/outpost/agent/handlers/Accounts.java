package dev.outpost.agent.handlers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Who the agent runs as, and the users it may run scripts as. Blocking. */
final class Accounts {

  /**
   * A user to run a script as.
   *
   * @param other whether it is another user than the agent's own
   * @param uid its user id; -1 for the agent's own user
   * @param gid its primary group id; -1 for the agent's own user
   */
  record Account(String name, String home, boolean other, int uid, int gid) {}

  private final String self;
  private final int uid;

  private Accounts(String self, int uid) {
    this.self = self;
    this.uid = uid;
  }

  /** The agent's own user, read from the system. */
  static Accounts current() {
    int uid;
    try {
      // /proc/self belongs to the process's effective user
      uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue();
    } catch (IOException | UnsupportedOperationException e) {
      uid = "root".equals(System.getProperty("user.name")) ? 0 : -1;
    }
    return new Accounts(System.getProperty("user.name"), uid);
  }

  /** Whether the agent runs as root, and so may run scripts as anyone. */
  boolean root() {
    return uid == 0;
  }

  /** The agent's own user name. */
  String self() {
    return self;
  }

  /** The agent's own user id, as files it owns show it. */
  int uid() {
    return uid;
  }

  /**
   * The account to run a script as.
   *
   * @throws ScriptFailure when the agent cannot switch to that user, or it does not exist
   */
  Account resolve(Optional<String> username) throws IOException, InterruptedException {
    String target = username.orElse(self);
    if (target.equals(self)) {
      return new Account(self, System.getProperty("user.home"), false, -1, -1);
    }
    if (!root()) {
      throw ScriptFailure.of(
          "the agent runs as "
              + self
              + " and cannot run scripts as "
              + target
              + "; only an agent running as root can run scripts as other users");
    }
    if (!target.matches("[A-Za-z_][A-Za-z0-9_.-]*\\$?")) {
      throw ScriptFailure.of("'" + target + "' is not a user name");
    }
    Commands.Result entry = Commands.run(Commands.Command.of("getent", "passwd", target));
    String[] fields = entry.output().strip().split(":");
    if (!entry.ok()
        || fields.length < 6
        || !fields[2].matches("\\d+")
        || !fields[3].matches("\\d+")) {
      throw ScriptFailure.of("unknown user " + target);
    }
    return new Account(
        target, fields[5], true, Integer.parseInt(fields[2]), Integer.parseInt(fields[3]));
  }
}
