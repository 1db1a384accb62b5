package dev.outpost.server.account;

import java.util.List;
import java.util.Optional;

/**
 * An account's policies.
 *
 * @param approvalTypes activity types that always start Blocked, awaiting approval
 * @param failStaleResults whether delivered client activities with no result past the deadline end
 *     Failed ('no-result') rather than only being shown stale
 * @param retentionDays finished activities older than this many days are archived by the server
 *     once a day; empty keeps them
 * @param fourEyes whether an activity that waits for approval may be approved only by another
 *     administrator than the one who created it
 * @param intervals the intervals the account's clients are told to follow
 */
public record AccountSettings(
    List<String> approvalTypes,
    boolean failStaleResults,
    Optional<Integer> retentionDays,
    boolean fourEyes,
    ClientIntervals intervals) {}
