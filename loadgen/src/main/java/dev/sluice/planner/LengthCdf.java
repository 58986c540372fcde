package dev.sluice.planner;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * An empirical distribution of total request tokens (prompt + output), given as points
 * {@code [tokens, cumulative_fraction]}: the format of {@code shared/data/cdf/*.json}, either a bare array of
 * points or an object whose {@code cdf} field holds them. Sampling inverts the CDF, linearly between points; the
 * mass at or below the first point is spread from {@link #MIN_TOKENS} up to it.
 */
public final class LengthCdf {
  /** The smallest request: one prompt token and one output token. */
  static final int MIN_TOKENS = 2;

  private final int[] tokens;
  private final double[] cumulative;

  LengthCdf(int[] tokens, double[] cumulative) {
    if (tokens.length == 0 || tokens.length != cumulative.length) {
      throw new IllegalArgumentException("a length CDF needs at least one [tokens, fraction] point");
    }
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] < MIN_TOKENS || cumulative[i] < 0 || cumulative[i] > 1 + 1e-9
          || (i > 0 && (tokens[i] <= tokens[i - 1] || cumulative[i] < cumulative[i - 1]))) {
        throw new IllegalArgumentException("CDF point " + i + " [" + tokens[i] + ", " + cumulative[i]
            + "]: tokens must rise from " + MIN_TOKENS + " and fractions must not fall or leave [0, 1]");
      }
    }
    if (Math.abs(cumulative[cumulative.length - 1] - 1) > 1e-6) {
      throw new IllegalArgumentException("the last CDF point must reach 1, not " + cumulative[cumulative.length - 1]);
    }
    this.tokens = tokens;
    this.cumulative = cumulative;
  }

  /** Reads a CDF file (array of points, or an object with {@code cdf}). */
  public static LengthCdf read(Path file) throws IOException {
    String text = Files.readString(file);
    try {
      String trimmed = text.strip();
      JsonArray points = trimmed.startsWith("{") ? new JsonObject(trimmed).getJsonArray("cdf") : new JsonArray(trimmed);
      if (points == null) {
        throw new IllegalArgumentException(file + ": no \"cdf\" array");
      }
      int[] t = new int[points.size()];
      double[] c = new double[points.size()];
      for (int i = 0; i < points.size(); i++) {
        JsonArray point = points.getJsonArray(i);
        t[i] = point.getNumber(0).intValue();
        c[i] = point.getNumber(1).doubleValue();
      }
      return new LengthCdf(t, c);
    } catch (DecodeException | ClassCastException | IndexOutOfBoundsException | NullPointerException e) {
      throw new IllegalArgumentException(file + " is not a list of [tokens, cumulative_fraction] points: "
          + e.getMessage());
    }
  }

  /** The largest total it can draw. */
  public int maxTokens() {
    return tokens[tokens.length - 1];
  }

  /** Share of requests whose total is at most {@code total} tokens (linear between points). */
  public double fractionAtMost(int total) {
    if (total >= maxTokens()) {
      return 1;
    }
    int lo = MIN_TOKENS;
    double loC = 0;
    for (int i = 0; i < tokens.length; i++) {
      if (total <= tokens[i]) {
        return loC + (cumulative[i] - loC) * (total - lo) / (double) (tokens[i] - lo);
      }
      lo = tokens[i];
      loC = cumulative[i];
    }
    return 1;
  }

  /** One total, by inverting the CDF at a uniform draw. */
  public int sample(SplittableRandom random) {
    double u = random.nextDouble();
    int lo = MIN_TOKENS;
    double loC = 0;
    for (int i = 0; i < tokens.length; i++) {
      if (u < cumulative[i]) {
        double within = (u - loC) / (cumulative[i] - loC);
        return (int) Math.round(lo + within * (tokens[i] - lo));
      }
      lo = tokens[i];
      loC = cumulative[i];
    }
    return maxTokens();
  }
}
