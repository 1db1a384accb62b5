package dev.outpost.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code outpost}: the admin API of an Outpost server from a shell. */
@Command(
    name = "outpost",
    mixinStandardHelpOptions = true,
    versionProvider = Outpost.Version.class,
    description = "The admin API of an Outpost server: tables for people, --json for programs.",
    subcommands = {
      ActivitiesCommand.class,
      RunScriptCommand.class,
      ComputersCommand.class,
      ScriptsCommand.class,
      ProfilesCommand.class,
      AutoComplete.GenerateCompletion.class
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:done (run-script --wait: every computer's script succeeded)",
      "1:the server refused the request, or did not answer",
      "2:the command line is wrong",
      "3:run-script --wait: a script failed",
      "4:run-script --wait: canceled",
      "5:run-script --wait: still running when --timeout ran out"
    },
    footer = {
      "",
      "URL and token: --url and --token, else OUTPOST_URL and OUTPOST_TOKEN, else",
      "url= and token= lines of the config file (--config, else OUTPOST_CLI_CONFIG,",
      "else ~/.config/outpost/cli.conf).",
      "Shell completion: source <(outpost generate-completion)"
    })
public final class Outpost implements Runnable {

  static final int OK = 0;
  static final int REFUSED = 1;
  static final int USAGE = 2;
  static final int FAILED = 3;
  static final int CANCELED = 4;
  static final int TIMED_OUT = 5;

  final Map<String, String> env;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  Outpost(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /** The command line over the given environment, printing to the given writers. */
  public static CommandLine commandLine(Map<String, String> env, PrintWriter out, PrintWriter err) {
    CommandLine line = new CommandLine(new Outpost(env));
    line.setOut(out);
    line.setErr(err);
    line.setCaseInsensitiveEnumValuesAllowed(true);
    line.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
    return line;
  }

  /** Runs a command line; the exit status. */
  public static int run(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
    return commandLine(env, out, err).execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version of this build. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Outpost.class.getPackage().getImplementationVersion();
      return new String[] {"outpost " + (version == null ? "(development)" : version)};
    }
  }
}
