package dev.sluice.dispatcher.admission;

/** One admitted request's slot in a pool. Release exactly once when the response is over; extra calls do nothing. */
public interface Permit {

  void release();
}
