package dev.outpost.server.script;

import java.time.Instant;

/** A file uploaded to a script, delivered into {@code $LANDSCAPE_ATTACHMENTS} with each run. */
public record ScriptAttachment(long id, String name, int size, String creator, Instant createdAt) {}
