package dev.outpost.server.activity;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param count how many match in all, across pages
 */
public record Page<T>(long count, List<T> results) {
}
