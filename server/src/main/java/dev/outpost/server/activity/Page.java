package dev.outpost.server.activity;

import java.util.List;
import java.util.Optional;

/**
 * One page of a listing.
 *
 * @param count how many match in all, across pages; empty when not asked for
 * @param countCapped whether more than {@code count} match (counting stopped at the cap)
 * @param next the keyset cursor of the following page (pass it as {@code before}); empty on the
 *     last page
 */
public record Page<T>(
    Optional<Long> count, boolean countCapped, List<T> results, Optional<Long> next) {}
