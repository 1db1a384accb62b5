package dev.outpost.server.jobs;

import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * A server activity claimed by a job-handler.
 *
 * @param owner the lease owner; every later write is guarded by it and the attempt, so a
 *     job-handler that lost its lease cannot write over the one that took over
 * @param attempt which try this is, from 1
 */
public record Job(
    long activityId,
    long accountId,
    Optional<Long> computerId,
    String type,
    JsonObject parameters,
    String owner,
    int attempt) {}
