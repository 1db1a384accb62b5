package dev.outpost.agent.config;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The users scripts may run as, read as the Landscape Client reads its {@code script_users}: a
 * comma-separated list of user names, or {@code ALL} for any user; unset or empty allows only
 * {@code nobody}.
 *
 * @param all whether any user is allowed
 * @param names the users allowed, when not all
 */
public record ScriptUsers(boolean all, List<String> names) {

  /** What the Landscape Client allows when {@code script_users} is not set. */
  public static final ScriptUsers DEFAULT = new ScriptUsers(false, List.of("nobody"));

  /** Any user. */
  public static final ScriptUsers ALL = new ScriptUsers(true, List.of());

  private static final Pattern USER_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*\\$?");

  /** Copies the names. */
  public ScriptUsers {
    names = List.copyOf(names);
  }

  /**
   * Reads the setting's value.
   *
   * @throws TypeConversionException naming an entry that is not a user name
   */
  public static ScriptUsers parse(String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT;
    }
    if (value.strip().equals("ALL")) {
      return ALL;
    }
    List<String> names =
        Arrays.stream(value.split(",")).map(String::strip).filter(name -> !name.isEmpty()).toList();
    for (String name : names) {
      if (!USER_NAME.matcher(name).matches()) {
        throw new TypeConversionException(
            "'"
                + name
                + "' is not a user name: script users are "
                + "a comma-separated list of user names, or ALL");
      }
    }
    return new ScriptUsers(false, names);
  }

  /** Whether scripts may run as this user. */
  public boolean allows(String user) {
    return all || names.contains(user);
  }

  /** As the setting spells it. */
  @Override
  public String toString() {
    return all ? "ALL" : String.join(",", names);
  }

  /** Picocli's converter for the {@code --script-users} option. */
  public static final class Converter implements ITypeConverter<ScriptUsers> {

    @Override
    public ScriptUsers convert(String value) {
      return parse(value);
    }
  }
}
