/**
 * The payload value model and its two encodings: Landscape's bpickle, which the real client speaks,
 * and JSON for Outpost's own agent; {@link dev.outpost.common.wire.WireMap} reads either.
 */
package dev.outpost.common.wire;
