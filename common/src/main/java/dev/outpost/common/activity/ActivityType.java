package dev.outpost.common.activity;

import dev.outpost.common.wire.StorableText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An activity type of the specification: where it runs, what it is called on the wire and what
 * parameters it takes.
 *
 * @param name the seed's name ({@code ExecuteScriptRequest})
 * @param kind client (runs on an agent) or server (runs on the job-handler)
 * @param messageType for client types, the {@code type} of the message the agent receives
 * @param targets whether it is created per computer or once
 * @param params what the admin API accepts
 * @param fixedFields message fields every activity of this type carries ({@code reboot: true})
 */
public record ActivityType(
    String name,
    Kind kind,
    Optional<String> messageType,
    Targets targets,
    List<Param> params,
    Map<String, Object> fixedFields) {

  /** The type of the parent created when one request names several computers. */
  public static final String GROUP = "ActivityGroup";

  /** Whether it runs on a machine's agent. */
  public boolean isClient() {
    return kind == Kind.CLIENT;
  }

  /** Looks a parameter up by its API name. */
  public Optional<Param> param(String paramName) {
    return params.stream().filter(p -> p.name().equals(paramName)).findFirst();
  }

  /**
   * Checks request parameters against this type.
   *
   * @return one message per problem, naming the parameter; empty when the parameters are valid
   */
  public List<String> validate(JsonObject parameters) {
    List<String> problems = new ArrayList<>();
    for (String given : parameters.fieldNames()) {
      if (param(given).isEmpty()) {
        problems.add("unknown parameter '" + given + "' for " + name);
      }
    }
    for (Param param : params) {
      Object value = parameters.getValue(param.name());
      if (value == null) {
        if (param.required()) {
          problems.add("missing parameter '" + param.name() + "' for " + name);
        }
      } else if (!param.type().accepts(value)) {
        problems.add("parameter '" + param.name() + "' must be " + param.type().description());
      } else if (!param.allowed().isEmpty() && !param.allowed().contains(value)) {
        problems.add(
            "parameter '"
                + param.name()
                + "' must be one of "
                + param.allowed()
                + ", not '"
                + value
                + "'");
      } else if (missingItemKey(param, value).isPresent()) {
        problems.add(
            "each item of parameter '"
                + param.name()
                + "' must give '"
                + missingItemKey(param, value).get()
                + "' as a string");
      } else if (!storable(value)) {
        // PostgreSQL would refuse it, and log the parameters up to that point, secrets and all
        problems.add(
            "parameter '"
                + param.name()
                + "' holds a NUL character or an unpaired"
                + " surrogate, which cannot be stored");
      }
    }
    return problems;
  }

  /** The first of the parameter's item keys that an object of the list does not give a string. */
  private static Optional<String> missingItemKey(Param param, Object value) {
    if (param.itemKeys().isEmpty() || !(value instanceof JsonArray items)) {
      return Optional.empty();
    }
    for (Object item : items) {
      for (String key : param.itemKeys()) {
        if (!(item instanceof JsonObject object) || !(object.getValue(key) instanceof String)) {
          return Optional.of(key);
        }
      }
    }
    return Optional.empty();
  }

  /** Whether every text in a JSON value, names of fields included, can be stored as text. */
  private static boolean storable(Object value) {
    if (value instanceof String text) {
      return StorableText.isStorable(text);
    }
    if (value instanceof JsonObject object) {
      return object.stream()
          .allMatch(e -> StorableText.isStorable(e.getKey()) && storable(e.getValue()));
    }
    if (value instanceof JsonArray array) {
      return array.stream().allMatch(ActivityType::storable);
    }
    return true;
  }
}
