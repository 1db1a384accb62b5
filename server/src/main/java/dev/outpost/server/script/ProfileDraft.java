package dev.outpost.server.script;

import dev.outpost.common.error.OutpostException;
import dev.outpost.common.wire.StorableText;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** A script profile as an admin writes or edits it; an edit leaves out what it keeps. */
public record ProfileDraft(
    Optional<String> title,
    Optional<Long> scriptId,
    Optional<ProfileTargets> targets,
    Optional<String> username,
    Optional<Integer> timeLimit,
    Optional<Trigger> trigger) {

  private static final Set<String> FIELDS =
      Set.of(
          "title",
          "script_id",
          "all_computers",
          "tags",
          "query",
          "username",
          "time_limit",
          "trigger");

  /**
   * Reads a profile from a request body, refusing each malformed field by name; a one-time trigger
   * must lie ahead of {@code now}.
   */
  public static ProfileDraft read(JsonObject body, Instant now) {
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw OutpostException.badRequest("unknown field '" + field + "'");
      }
    }
    boolean targeted =
        body.containsKey("all_computers") || body.containsKey("tags") || body.containsKey("query");
    Object trigger = body.getValue("trigger");
    if (trigger != null && !(trigger instanceof JsonObject)) {
      throw OutpostException.badRequest("field 'trigger' must be an object");
    }
    return new ProfileDraft(
        text(body, "title"),
        whole(body, "script_id", 1, Long.MAX_VALUE),
        targeted ? Optional.of(ProfileTargets.read(body, now)) : Optional.empty(),
        text(body, "username"),
        whole(body, "time_limit", 1, ScriptStore.MAX_TIME_LIMIT_SECONDS).map(Long::intValue),
        Optional.ofNullable((JsonObject) trigger).map(json -> Trigger.read(json, now)));
  }

  private static Optional<String> text(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String text)
        || text.isBlank()
        || text.length() > ScriptStore.MAX_TITLE_CHARS
        || !StorableText.isStorable(text)) {
      throw OutpostException.badRequest(
          "field '"
              + field
              + "' must be a string of 1 to "
              + ScriptStore.MAX_TITLE_CHARS
              + " characters");
    }
    return Optional.of(text);
  }

  private static Optional<Long> whole(JsonObject body, String field, long min, long max) {
    Object value = body.getValue(field);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof Integer || value instanceof Long)
        || ((Number) value).longValue() < min
        || ((Number) value).longValue() > max) {
      throw OutpostException.badRequest(
          "field '" + field + "' must be a whole number from " + min + " to " + max);
    }
    return Optional.of(((Number) value).longValue());
  }
}
