package dev.outpost.server.script;

import java.time.Instant;

/** One immutable version of a script's code: every edit of the code or interpreter adds one. */
public record ScriptVersion(
    int number, String code, String interpreter, String creator, Instant createdAt) {}
