package dev.sluice.dispatcher.admission;

import io.vertx.core.Future;

/** A request's place in admission: either already granted, refused, or waiting with a deadline. */
public interface Ticket {

  /** Completes with the permit, or fails with a {@link dev.sluice.dispatcher.error.Refusal} (saturated, no healthy upstream, or cancelled). */
  Future<Permit> granted();

  /**
   * The client went away: a waiting ticket leaves the line (its future fails with CANCELLED); a
   * granted permit is released. Safe to call at any time, any number of times.
   */
  void cancel();
}
