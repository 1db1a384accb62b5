package dev.outpost.agent.handlers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The private directory a script runs from: the script file and its attachments, owned by the
 * user it runs as, deleted afterwards. Blocking.
 */
final class Workspace {

  /**
   * Holds the script back until the agent has durably recorded its process and writes "go" to
   * its stdin; exits without running it when stdin closes first (the agent died meanwhile). So a
   * script never runs unseen by the journal. {@code exec} keeps the pid the journal has.
   */
  static final String GATE = "IFS= read -r go && [ \"$go\" = go ] && exec \"$@\"; exit 125";

  /** The PATH scripts get, as the Landscape Client gives it. */
  static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private final Path dir;
  private final Path script;
  private final Path attachments;
  private final boolean hasAttachments;
  private final ScriptRequest request;
  private final Accounts.Account account;

  private Workspace(Path dir, ScriptRequest request, Accounts.Account account,
      boolean hasAttachments) {
    this.dir = dir;
    this.script = dir.resolve("script");
    this.attachments = dir.resolve("attachments");
    this.request = request;
    this.account = account;
    this.hasAttachments = hasAttachments;
  }

  /** Whether a name can be a file in the attachments directory. */
  static boolean safeName(String name) {
    return !name.isEmpty() && !name.equals(".") && !name.equals("..") && !name.contains("/")
        && name.indexOf('\0') < 0;
  }

  /** Writes the script and its attachments into a new private directory. */
  static Workspace create(ScriptRequest request, Accounts.Account account,
      Map<String, byte[]> files) throws IOException {
    Path dir = Files.createTempDirectory("outpost-script-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Workspace workspace = new Workspace(dir, request, account, !files.isEmpty());
    Files.writeString(workspace.script, request.code(), StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(workspace.script, PosixFilePermissions.fromString("rwx------"));
    Files.createDirectory(workspace.attachments);
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      Files.write(workspace.attachments.resolve(file.getKey()), file.getValue());
    }
    if (account.other()) {
      UserPrincipal owner = FileSystems.getDefault().getUserPrincipalLookupService()
          .lookupPrincipalByName(account.name());
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path path : all.toList()) {
          Files.setOwner(path, owner);
        }
      }
    }
    return workspace;
  }

  /** The user the script runs as. */
  Accounts.Account account() {
    return account;
  }

  /**
   * The script's process: {@code [setsid] sh -c GATE [runuser -u USER --] INTERPRETER... SCRIPT},
   * started in the user's home with a clean environment, stderr merged into stdout.
   */
  ProcessBuilder command(boolean ownGroup) {
    List<String> argv = new ArrayList<>();
    if (ownGroup) {
      argv.add(ProcessTree.SETSID.toString());
    }
    argv.addAll(List.of("/bin/sh", "-c", GATE, "outpost-script"));
    if (account.other()) {
      argv.addAll(List.of("runuser", "-u", account.name(), "--"));
    }
    argv.addAll(request.interpreter());
    argv.add(script.toString());
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    Path home = Path.of(account.home());
    builder.directory(Files.isDirectory(home) ? home.toFile() : dir.toFile());
    Map<String, String> env = builder.environment();
    env.clear();
    env.put("PATH", PATH);
    env.put("USER", account.name());
    env.put("LOGNAME", account.name());
    env.put("HOME", account.home());
    env.putAll(request.env());
    if (hasAttachments) {
      env.put("LANDSCAPE_ATTACHMENTS", attachments.toString());
    }
    return builder;
  }

  /** Deletes the directory and everything in it. */
  void delete() throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
