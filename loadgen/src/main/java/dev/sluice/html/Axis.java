package dev.sluice.html;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Tick values and labels shared by the charts. */
final class Axis {
  static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
      "#17becf"};
  /** The percentile axis ends at six nines. */
  static final double MAX_NINES = 6;

  private Axis() {
  }

  /** The smallest 1, 2, 2.5 or 5 times a power of ten at or above {@code v}. */
  static double niceCeiling(double v) {
    if (!(v > 0) || !Double.isFinite(v)) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (step * magnitude >= v * (1 - 1e-12)) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }

  static String label(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%,d", (long) v);
    }
    return Math.abs(v) >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
  }

  /** 0 → 0%, 1 → 90%, 2 → 99%, ...: the usual HdrHistogram percentile axis. */
  static String ninesLabel(double nines) {
    if (nines <= 0) {
      return "0%";
    }
    double p = 100 * (1 - Math.pow(10, -nines));
    return new BigDecimal(p).round(new MathContext((int) Math.round(nines) + 1)).stripTrailingZeros().toPlainString()
        + "%";
  }

  /** The percentile {@code p} (0..100) on the nines axis. */
  static double nines(double percentile) {
    return percentile >= 100 ? MAX_NINES : Math.min(MAX_NINES, -Math.log10(1 - percentile / 100));
  }

  /** The opening {@code svg} tag, named for tests by {@code data-chart}, and the title above the plot. */
  static void open(StringBuilder b, String id, String title, int width, int height, int left) {
    b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"%s\" "
        + "width=\"%d\" height=\"%d\" font-size=\"11\" role=\"img\" aria-label=\"%s\">", Page.esc(id), width, height,
        Page.esc(title)));
    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>",
        left, Page.esc(title)));
  }

  /** Four horizontal grid lines from zero to {@code maxY}, labelled on the left. */
  static void yGrid(StringBuilder b, double maxY, int left, int top, int plotW, int plotH) {
    yGrid(b, 0, maxY, left, top, plotW, plotH);
  }

  /** Four horizontal grid lines from {@code minY} to {@code maxY}, labelled on the left; zero drawn darker. */
  static void yGrid(StringBuilder b, double minY, double maxY, int left, int top, int plotW, int plotH) {
    for (int i = 0; i <= 4; i++) {
      double v = minY + (maxY - minY) * i / 4;
      double y = top + plotH - plotH * i / 4.0;
      b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", left, left + plotW, y, y,
          v == 0 && minY < 0 ? "#999" : "#eee", left - 4, y + 4, label(v)));
    }
  }

  static String color(int i) {
    return COLORS[i % COLORS.length];
  }
}
