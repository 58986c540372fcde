package dev.sluice.dispatcher.health;

/**
 * Optional spill-over: a request whose smallest fitting pool is saturated may go to the next larger
 * pool if that one is not. Only upward (a larger context always fits what a smaller one fits), only one
 * step, and never when spill-over is off. A long request never moves to a smaller pool.
 */
public final class SpillOver {

  private SpillOver() {
  }

  /**
   * @param fitting   index (in ascending context order) of the smallest pool whose context fits
   * @param pressures pressure of every pool, same order
   * @return the pool index to use
   */
  public static int target(int fitting, PoolPressure[] pressures, boolean enabled) {
    if (!enabled || fitting < 0 || fitting + 1 >= pressures.length) {
      return fitting;
    }
    if (pressures[fitting].saturated() && !pressures[fitting + 1].saturated()) {
      return fitting + 1;
    }
    return fitting;
  }
}
