package dev.outpost.agent.simulate;

import java.util.List;

/**
 * The open model's target: a rate of exchanges per second that changes over phases, each a straight
 * line from one rate to another (equal for a hold or a spike). Exchange {@code k} (from 0) is due
 * when the phases' integral reaches {@code k + 1}, so a run of {@code d} seconds makes exactly
 * {@code floor(count(d))} exchanges, however they are split between shards.
 */
public record RateProfile(List<Phase> phases) {

  /**
   * One phase.
   *
   * @param kind ramp, hold or spike: for the report
   * @param from the rate at its start, per second
   * @param to the rate at its end
   * @param seconds how long it lasts
   */
  public record Phase(String kind, double from, double to, double seconds) {
    public Phase {
      if (from < 0 || to < 0 || seconds <= 0 || !Double.isFinite(from + to + seconds)) {
        throw new IllegalArgumentException(
            "a phase needs rates of 0 or more and a positive length");
      }
    }

    double count() {
      return (from + to) / 2 * seconds;
    }

    double rateAt(double t) {
      return from + (to - from) * t / seconds;
    }
  }

  public RateProfile {
    phases = List.copyOf(phases);
  }

  /** A constant rate for a time. */
  public static RateProfile hold(double rate, double seconds) {
    return new RateProfile(List.of(new Phase("hold", rate, rate, seconds)));
  }

  /** Seconds from the first phase's start to the last's end. */
  public double seconds() {
    return phases.stream().mapToDouble(Phase::seconds).sum();
  }

  /** The rate wanted {@code t} seconds in. */
  public double rateAt(double t) {
    double start = 0;
    for (Phase phase : phases) {
      if (t < start + phase.seconds()) {
        return phase.rateAt(t - start);
      }
      start += phase.seconds();
    }
    return 0;
  }

  /** Exchanges wanted in the first {@code t} seconds (the integral of the rate), not rounded. */
  public double count(double t) {
    double start = 0;
    double total = 0;
    for (Phase phase : phases) {
      if (t <= start) {
        break;
      }
      double in = Math.min(t - start, phase.seconds());
      total += (phase.from() + phase.rateAt(in)) / 2 * in;
      start += phase.seconds();
    }
    return total;
  }

  /** When the integral reaches {@code n}, in seconds from the start; past the end, the end. */
  public double timeOf(double n) {
    double start = 0;
    double before = 0;
    for (Phase phase : phases) {
      double after = before + phase.count();
      if (n <= after) {
        double need = n - before;
        double a = phase.from();
        double b = (phase.to() - phase.from()) / phase.seconds();
        double t;
        if (Math.abs(b) < 1e-12) {
          t = a == 0 ? 0 : need / a;
        } else {
          t = (-a + Math.sqrt(Math.max(0, a * a + 2 * b * need))) / b;
        }
        return start + Math.max(0, Math.min(phase.seconds(), t));
      }
      before = after;
      start += phase.seconds();
    }
    return start;
  }
}
