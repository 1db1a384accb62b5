package dev.outpost.agent.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Script workspaces on an agent running as root: made and given to the script's user without
 * following a link, under a directory of root's, and removed with the user's rights only.
 */
class WorkspaceTest {

  private static final Accounts ACCOUNTS = Accounts.current();

  @TempDir Path dataDir;

  @TempDir Path elsewhere;

  private ScriptSpace space;
  private Accounts.Account nobody;

  @BeforeEach
  void prepare() throws Exception {
    assumeTrue(ACCOUNTS.root(), "the agent's tests run as root on this machine");
    space = ScriptSpace.in(dataDir, ACCOUNTS);
    space.prepare();
    nobody = ACCOUNTS.resolve(Optional.of("nobody"));
  }

  /**
   * Verifies that the scripts directory is root's, mode 0711, in a data dir others may pass
   * through, and that the workspace in it and every entry of it belong to the script's user.
   */
  @Test
  void theWorkspaceIsTheUsersUnderADirectoryOfRoots() throws Exception {
    Workspace workspace =
        Workspace.create(space, request(), nobody, Map.of("a.txt", "attached".getBytes()));

    assertThat(uid(space.dir())).isZero();
    assertThat(mode(space.dir())).isEqualTo("rwx--x--x");
    assertThat(mode(dataDir)).endsWith("--x");
    Path dir = workspace.dir();
    assertThat(dir.getParent()).isEqualTo(space.dir());
    for (Path path :
        List.of(
            dir,
            dir.resolve("script"),
            dir.resolve("attachments"),
            dir.resolve("attachments/a.txt"))) {
      assertThat(uid(path)).as(path.toString()).isEqualTo(nobody.uid());
    }
    assertThat(mode(dir)).isEqualTo("rwx------");
    assertThat(workspace.delete()).isTrue();
    assertThat(dir).doesNotExist();
  }

  /** Verifies that giving a symbolic link to the user changes the link, never its target. */
  @Test
  void handingOverALinkLeavesItsTargetAlone() throws Exception {
    Path target = Files.writeString(elsewhere.resolve("shadow"), "root's");
    Path link = Files.createSymbolicLink(elsewhere.resolve("link"), target);

    Workspace.handOver(link, nobody);

    assertThat(uid(target)).isZero();
    assertThat(uid(link)).isEqualTo(nobody.uid());
  }

  /**
   * Verifies that removing a workspace never follows the links its user planted: the files they
   * point to, in a directory or alone, are still there.
   */
  @Test
  void removingAWorkspaceDoesNotFollowPlantedLinks() throws Exception {
    Path victimDir = Files.createDirectory(elsewhere.resolve("etc"));
    Path victimFile = Files.writeString(victimDir.resolve("passwd"), "root's");
    Path lone = Files.writeString(elsewhere.resolve("lone"), "root's too");
    Workspace workspace = Workspace.create(space, request(), nobody, Map.of());
    Path dir = workspace.dir();
    Files.delete(dir.resolve("script"));
    Files.createSymbolicLink(dir.resolve("script"), lone);
    Files.createSymbolicLink(dir.resolve("attachments"), victimDir);
    Workspace.handOver(dir.resolve("script"), nobody);
    Workspace.handOver(dir.resolve("attachments"), nobody);

    assertThat(workspace.delete()).isTrue();

    assertThat(dir).doesNotExist();
    assertThat(victimFile).hasContent("root's");
    assertThat(lone).hasContent("root's too");
  }

  /**
   * Verifies that a workspace is emptied with its user's rights, not root's: what the user could
   * not remove (here a directory of root's put in it) stays, and the workspace is reported left.
   */
  @Test
  void aWorkspaceIsEmptiedWithItsUsersRightsOnly() throws Exception {
    Workspace workspace = Workspace.create(space, request(), nobody, Map.of());
    Path dir = workspace.dir();
    Path roots =
        Files.createDirectory(
            dir.resolve("roots"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Path kept = Files.writeString(roots.resolve("kept"), "only root may remove this");

    assertThat(workspace.delete()).isFalse();

    assertThat(kept).exists();
    assertThat(dir.resolve("script")).doesNotExist();
  }

  /**
   * Verifies that the scripts directory is set right when its mode is wrong, refused when it is a
   * link or another user's, and emptied of what an earlier run left.
   */
  @Test
  void theScriptsDirectoryIsCheckedAtStart() throws Exception {
    Workspace left = Workspace.create(space, request(), nobody, Map.of());
    Path leftDir = left.dir();
    Files.writeString(leftDir.resolve("output.log"), "left by the script");
    Files.setPosixFilePermissions(space.dir(), PosixFilePermissions.fromString("rwxrwxrwx"));

    space.prepare();

    assertThat(mode(space.dir())).isEqualTo("rwx--x--x");
    assertThat(leftDir).doesNotExist();

    Files.setOwner(space.dir(), nobodyPrincipal());
    assertThatThrownBy(space::prepare).hasMessageContaining("belongs to uid " + nobody.uid());
    Files.delete(space.dir());
    Files.createSymbolicLink(space.dir(), elsewhere);
    assertThatThrownBy(space::prepare).hasMessageContaining("symbolic link");
  }

  private static ScriptRequest request() {
    return new ScriptRequest(
        List.of("/bin/sh"), "echo hi", Optional.of("nobody"), Optional.empty(), Map.of(), Map.of());
  }

  private static UserPrincipal nobodyPrincipal() throws Exception {
    return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
  }

  private static int uid(Path path) throws Exception {
    return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }
}
