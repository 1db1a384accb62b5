package dev.outpost.server.account;

import dev.outpost.common.error.OutpostException;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** An administrator's role: what its holder may do in the account. Roles add up. */
public enum Role {
  /** Reads everything of the account. */
  VIEWER(EnumSet.of(Permission.READ)),
  /** Creates, cancels and reapplies activities; edits scripts, profiles and computers' tags. */
  OPERATOR(EnumSet.of(Permission.READ, Permission.OPERATE)),
  /** Approves and holds activities. */
  APPROVER(EnumSet.of(Permission.READ, Permission.APPROVE)),
  /** Everything, administrators, tokens and the account's policies included. */
  ADMIN(EnumSet.of(Permission.READ, Permission.OPERATE, Permission.APPROVE, Permission.ADMINISTER));

  private final Set<Permission> grants;

  Role(Set<Permission> grants) {
    this.grants = grants;
  }

  /** The role's name in the API and the database: {@code viewer}, {@code operator}... */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether holding any of {@code roles} grants the permission. */
  public static boolean grant(Collection<Role> roles, Permission permission) {
    return switch (permission) {
      case PUBLIC, SIGNED_IN -> true;
      default -> roles.stream().anyMatch(role -> role.grants.contains(permission));
    };
  }

  /**
   * Whether holding {@code held} covers everything {@code role} grants: a token may carry a role
   * its administrator's roles cover (an admin's token may be a viewer's).
   */
  public static boolean covered(Collection<Role> held, Role role) {
    return role.grants.stream().allMatch(permission -> grant(held, permission));
  }

  /** Of the {@code wanted} roles, those {@code held} covers. */
  public static Set<Role> coveredOf(Collection<Role> held, Collection<Role> wanted) {
    Set<Role> covered = EnumSet.noneOf(Role.class);
    wanted.stream().filter(role -> covered(held, role)).forEach(covered::add);
    return covered;
  }

  /** The role of a wire name, refused by name (400) when there is none. */
  public static Role of(String wireName) {
    return Arrays.stream(values())
        .filter(role -> role.wireName().equals(wireName))
        .findFirst()
        .orElseThrow(
            () ->
                OutpostException.badRequest(
                    "unknown role '"
                        + wireName
                        + "'; roles are "
                        + Arrays.stream(values())
                            .map(Role::wireName)
                            .collect(Collectors.joining(", "))));
  }

  /** The roles of wire names, as read from the database. */
  static Set<Role> of(String[] wireNames) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : wireNames) {
      Arrays.stream(values()).filter(r -> r.wireName().equals(name)).forEach(roles::add);
    }
    return roles;
  }

  /** The wire names of roles, as the database keeps them. */
  static String[] names(Collection<Role> roles) {
    return roles.stream().sorted().map(Role::wireName).toArray(String[]::new);
  }
}
