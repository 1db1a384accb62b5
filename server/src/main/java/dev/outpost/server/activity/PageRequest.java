package dev.outpost.server.activity;

import java.util.Optional;

/**
 * Which page of a listing to read, newest first.
 *
 * @param before keyset paging: only ids below this one, so a deep page costs what the first does
 * @param offset rows to skip after {@code before}; cheap only while small
 * @param count whether to count the matches (up to 10,000: past that it says "at least")
 * @param groupsOnly list only groups (the parents of multi-computer requests)
 * @param archived list the archive instead of the live activities
 */
public record PageRequest(
    int limit,
    int offset,
    Optional<Long> before,
    boolean count,
    boolean groupsOnly,
    boolean archived) {}
