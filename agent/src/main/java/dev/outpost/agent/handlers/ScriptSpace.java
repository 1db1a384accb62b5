package dev.outpost.agent.handlers;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory under the data dir that holds the scripts' workspaces: the agent's own, mode 0711,
 * so that a script's user can reach its workspace but can neither list nor replace anything in it.
 * A workspace handed to a user is removed with that user's rights, so that nothing the user planted
 * there (a symbolic link, a directory swapped mid-way) can make root touch another file. Blocking.
 */
final class ScriptSpace {

  private static final Logger LOG = LoggerFactory.getLogger(ScriptSpace.class);

  /** Its name in the data dir. */
  static final String NAME = "scripts";

  static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rwx--x--x");

  /**
   * Empties a workspace, run as its user with the directory as {@code $1}: makes every entry
   * removable, then removes them, on this file system only, following no link.
   */
  private static final String EMPTY =
      "chmod -R u+rwx -- \"$1\" 2>/dev/null; "
          + "find \"$1\" -mindepth 1 -maxdepth 1 -exec rm -rf --one-file-system -- {} +";

  private final Path dir;
  private final Accounts accounts;

  private ScriptSpace(Path dir, Accounts accounts) {
    this.dir = dir;
    this.accounts = accounts;
  }

  /** The space of an agent whose data dir is given; nothing is checked before {@link #prepare}. */
  static ScriptSpace in(Path dataDir, Accounts accounts) {
    return new ScriptSpace(dataDir.toAbsolutePath().resolve(NAME), accounts);
  }

  /** The directory. */
  Path dir() {
    return dir;
  }

  /**
   * Creates the directory, or checks the one there: another owner or a symbolic link is refused,
   * another mode is set right. Then removes what a previous run of the agent left in it. As root,
   * the data dir is made searchable by all, which scripts' users need to reach their workspaces.
   *
   * @throws IOException naming what is wrong, when the directory cannot be trusted
   */
  void prepare() throws IOException, InterruptedException {
    Path dataDir = dir.getParent();
    if (!Files.isDirectory(dataDir)) {
      Files.createDirectories(
          dataDir,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    PosixFileAttributes data = Files.readAttributes(dataDir, PosixFileAttributes.class);
    if (data.permissions().contains(PosixFilePermission.GROUP_WRITE)
        || data.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new IOException(
          "the data dir "
              + dataDir
              + " is writable by others than its owner, "
              + "who could replace "
              + NAME
              + "/ in it: make it writable by its owner only");
    }
    if (accounts.root()) {
      searchable(dataDir, data.permissions());
    }
    boolean created = Files.notExists(dir, LinkOption.NOFOLLOW_LINKS);
    if (created) {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(MODE));
    }
    PosixFileAttributes own = checked();
    if (!own.permissions().equals(MODE)) {
      if (!created) {
        LOG.warn(
            "script directory mode set right [dir: {}, was: {}]",
            dir,
            PosixFilePermissions.toString(own.permissions()));
      }
      Files.setPosixFilePermissions(dir, MODE);
    }
    removeLeftovers();
  }

  /**
   * Removes a workspace: as its user when the agent is root and the user another, then, as the
   * agent, the directory itself (which the user cannot remove, the space being the agent's).
   *
   * @param uid the user that owns it, -1 for the agent's own
   * @return whether it is gone; what is left is logged, and removed at the agent's next start
   */
  boolean remove(Path workspace, int uid, int gid) throws InterruptedException {
    try {
      if (uid >= 0 && uid != accounts.uid() && accounts.root()) {
        Commands.Result emptied =
            Commands.run(
                Commands.Command.of(
                    "setpriv",
                    "--reuid=" + uid,
                    "--regid=" + gid,
                    "--clear-groups",
                    "--",
                    "/bin/sh",
                    "-c",
                    EMPTY,
                    "outpost-cleanup",
                    workspace.toString()));
        if (!emptied.ok()) {
          LOG.debug(
              "workspace cleanup answered [dir: {}, exit: {}, output: {}]",
              workspace,
              emptied.exitCode(),
              emptied.output().strip());
        }
        Files.deleteIfExists(workspace);
      } else {
        deleteTree(workspace);
      }
      return true;
    } catch (DirectoryNotEmptyException e) {
      LOG.warn("workspace left behind, its user could not empty it [dir: {}]", workspace);
      return false;
    } catch (IOException e) {
      LOG.warn("workspace left behind [dir: {}, problem: {}]", workspace, e.toString());
      return false;
    }
  }

  /** The directory's attributes, once it is known to be the agent's own directory. */
  private PosixFileAttributes checked() throws IOException {
    PosixFileAttributes attributes =
        Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attributes.isDirectory()) {
      throw new IOException(
          dir
              + " is not a directory"
              + (attributes.isSymbolicLink() ? " but a symbolic link" : "")
              + ": remove it");
    }
    int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    if (owner != accounts.uid()) {
      throw new IOException(
          dir
              + " belongs to uid "
              + owner
              + ", not to the agent's user ("
              + accounts.self()
              + "), and cannot be trusted with scripts: remove it");
    }
    return attributes;
  }

  /** Adds search permission for all to the data dir, and says when a parent lacks it. */
  private static void searchable(Path dataDir, Set<PosixFilePermission> mode) throws IOException {
    if (!mode.contains(PosixFilePermission.OTHERS_EXECUTE)) {
      Set<PosixFilePermission> wider = EnumSet.copyOf(mode);
      wider.add(PosixFilePermission.GROUP_EXECUTE);
      wider.add(PosixFilePermission.OTHERS_EXECUTE);
      Files.setPosixFilePermissions(dataDir, wider);
    }
    for (Path parent = dataDir.toRealPath().getParent();
        parent != null;
        parent = parent.getParent()) {
      if (!Files.getPosixFilePermissions(parent).contains(PosixFilePermission.OTHERS_EXECUTE)) {
        LOG.warn(
            "scripts run as other users cannot reach their workspaces [dir: {}, "
                + "not searchable by others: {}]",
            dataDir,
            parent);
        return;
      }
    }
  }

  private void removeLeftovers() throws IOException, InterruptedException {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> listed = Files.newDirectoryStream(dir)) {
      listed.forEach(entries::add);
    }
    for (Path entry : entries) {
      LOG.info("removing what an earlier run left [path: {}]", entry);
      if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
        remove(
            entry,
            (Integer) Files.getAttribute(entry, "unix:uid", LinkOption.NOFOLLOW_LINKS),
            (Integer) Files.getAttribute(entry, "unix:gid", LinkOption.NOFOLLOW_LINKS));
      } else {
        Files.deleteIfExists(entry);
      }
    }
  }

  /** Deletes a tree only the agent wrote in, never following a symbolic link. */
  static void deleteTree(Path root) throws IOException {
    if (Files.notExists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path directory, IOException e)
              throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(directory);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
