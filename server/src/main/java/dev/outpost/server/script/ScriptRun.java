package dev.outpost.server.script;

import dev.outpost.common.error.OutpostException;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * One version of a saved script as a run takes it: its code and interpreter, and the script's
 * defaults for what the run does not say.
 */
public record ScriptRun(
    long scriptId,
    int version,
    String code,
    String interpreter,
    Optional<String> username,
    Optional<Integer> timeLimit) {

  /** The activity type that runs scripts. */
  public static final String TYPE = "ExecuteScriptRequest";

  /** The parameter naming the saved script an ExecuteScriptRequest runs. */
  public static final String SCRIPT_ID = "script_id";

  /** The parameter naming the version it runs (the current one when not given). */
  public static final String SCRIPT_VERSION = "script_version";

  /**
   * The parameters of an ExecuteScriptRequest running this version: what the request gives ({@code
   * username}, {@code time_limit}, {@code attachments}, {@code env}) over the script's defaults,
   * the version's code and interpreter, and which script and version they are. Without {@code
   * attachments} of its own, the run is delivered the script's.
   */
  public JsonObject parameters(JsonObject given) {
    for (String own : new String[] {"code", "interpreter"}) {
      if (given.containsKey(own)) {
        throw OutpostException.badRequest(
            "parameter '"
                + own
                + "' comes from the saved script (script_id "
                + scriptId
                + "); give one or the other");
      }
    }
    JsonObject parameters = given.copy();
    parameters.put(SCRIPT_ID, scriptId).put(SCRIPT_VERSION, version);
    parameters.put("code", code).put("interpreter", interpreter);
    if (!parameters.containsKey("username")) {
      username.ifPresent(name -> parameters.put("username", name));
    }
    if (!parameters.containsKey("time_limit")) {
      timeLimit.ifPresent(seconds -> parameters.put("time_limit", seconds));
    }
    return parameters;
  }
}
