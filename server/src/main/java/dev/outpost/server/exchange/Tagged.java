package dev.outpost.server.exchange;

/** One computer's row of a batched statement: a value tagged with the computer it is for. */
record Tagged<T>(long computerId, T value) {}
