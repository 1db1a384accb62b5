package dev.outpost.server.account;

import java.util.List;

/**
 * An account's policies.
 *
 * @param approvalTypes activity types that always start Blocked, awaiting approval
 * @param failStaleResults whether delivered client activities with no result past the deadline end
 *     Failed ('no-result') rather than only being shown stale
 */
public record AccountSettings(List<String> approvalTypes, boolean failStaleResults) {}
