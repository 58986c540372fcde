/**
 * Live savings figures: the short-pool share of traffic (alpha), per-pool token throughput from the
 * upstreams' own counters, a measured throughput gain (rho) when the pools are saturated, and the projected
 * saving {@code alpha * (1 - 1/rho)}. Everything is computed on a one-second timer off the request path.
 */
package dev.sluice.dispatcher.savings;
