package dev.outpost.agent.handlers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The private directory a script runs from, in the {@link ScriptSpace}: the script file and its
 * attachments, owned by the user it runs as, removed afterwards. Blocking.
 *
 * <p>It is made by the agent, mode 0700, and each entry is written and given to the user (never
 * following a symbolic link) before the directory itself: until then the user cannot reach it, so
 * nothing can be swapped under the agent.
 */
final class Workspace {

  /**
   * Holds the script back until the agent has durably recorded its process and writes "go" to its
   * stdin; exits without running it when stdin closes first (the agent died meanwhile). So a script
   * never runs unseen by the journal. {@code exec} keeps the pid the journal has.
   */
  static final String GATE = "IFS= read -r go && [ \"$go\" = go ] && exec \"$@\"; exit 125";

  /** The PATH scripts get, as the Landscape Client gives it. */
  static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private static final Set<StandardOpenOption> CREATE =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

  private final ScriptSpace space;
  private final Path dir;
  private final Path script;
  private final Path attachments;
  private final boolean hasAttachments;
  private final ScriptRequest request;
  private final Accounts.Account account;

  private Workspace(
      ScriptSpace space,
      Path dir,
      ScriptRequest request,
      Accounts.Account account,
      boolean hasAttachments) {
    this.space = space;
    this.dir = dir;
    this.script = dir.resolve("script");
    this.attachments = dir.resolve("attachments");
    this.request = request;
    this.account = account;
    this.hasAttachments = hasAttachments;
  }

  /** Whether a name can be a file in the attachments directory. */
  static boolean safeName(String name) {
    return !name.isEmpty()
        && !name.equals(".")
        && !name.equals("..")
        && !name.contains("/")
        && name.indexOf('\0') < 0;
  }

  /** Writes the script and its attachments into a new directory, then gives it to the user. */
  static Workspace create(
      ScriptSpace space, ScriptRequest request, Accounts.Account account, Map<String, byte[]> files)
      throws IOException {
    Path dir =
        Files.createTempDirectory(
            space.dir(),
            "script-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Workspace workspace = new Workspace(space, dir, request, account, !files.isEmpty());
    try {
      workspace.fill(files);
    } catch (IOException | RuntimeException e) {
      // nothing was given to the user yet: the directory is still the agent's alone
      ScriptSpace.deleteTree(dir);
      throw e;
    }
    return workspace;
  }

  private void fill(Map<String, byte[]> files) throws IOException {
    List<Path> entries = new ArrayList<>();
    write(script, request.code().getBytes(StandardCharsets.UTF_8), "rwx------");
    entries.add(script);
    if (hasAttachments) {
      Files.createDirectory(
          attachments,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        Path path = attachments.resolve(file.getKey());
        write(path, file.getValue(), "rw-------");
        entries.add(path);
      }
      entries.add(attachments);
    }
    if (account.other()) {
      entries.add(dir);
      for (Path entry : entries) {
        handOver(entry, account);
      }
    }
  }

  /** Creates a file that did not exist (never through a link) with its mode and content. */
  private static void write(Path path, byte[] content, String mode) throws IOException {
    try (SeekableByteChannel channel =
        Files.newByteChannel(
            path,
            CREATE,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)))) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }
  }

  /** Gives an entry to the user and its group: the entry itself, were it a symbolic link. */
  static void handOver(Path path, Accounts.Account account) throws IOException {
    UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
    UserPrincipal user = lookup.lookupPrincipalByName(account.name());
    // a number no group is named is taken as the group id itself (group names are not numbers)
    GroupPrincipal group = lookup.lookupPrincipalByGroupName(Integer.toString(account.gid()));
    PosixFileAttributeView view =
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    view.setGroup(group);
    view.setOwner(user);
  }

  /** The directory. */
  Path dir() {
    return dir;
  }

  /** The user the script runs as. */
  Accounts.Account account() {
    return account;
  }

  /** Where the script's output pipe goes: next to the directory, where only the agent writes. */
  Path outputPath() {
    return dir.resolveSibling(dir.getFileName() + ".out");
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

  /** Removes the directory and everything in it, with the rights of the user it belongs to. */
  boolean delete() throws InterruptedException {
    return space.remove(dir, account.other() ? account.uid() : -1, account.gid());
  }
}
