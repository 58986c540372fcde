package dev.sluice.html;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;

/**
 * An SVG bar chart: one group of bars per category; series that name the same stack are stacked in one bar,
 * stacks stand side by side. Each bar carries {@code data-series} and its value in {@code data-value}.
 */
public final class BarChart {
  private static final int LEFT = 64;
  private static final int RIGHT = 170;
  private static final int TOP = 28;
  private static final int BOTTOM = 46;

  /** Values of one series, one per category, in the bar named {@code stack}. */
  public record Series(String name, double[] values, String color, String stack) {
  }

  private final String id;
  private final String title;
  private final List<String> categories = new ArrayList<>();
  private final List<Series> series = new ArrayList<>();
  private String yLabel = "";
  private boolean counts;
  private DoubleFunction<String> format = Axis::label;
  private int width = 640;
  private int height = 300;

  private BarChart(String id, String title) {
    this.id = id;
    this.title = title;
  }

  public static BarChart of(String id, String title) {
    return new BarChart(id, title);
  }

  public BarChart categories(List<String> names) {
    categories.addAll(names);
    return this;
  }

  public BarChart yAxis(String label) {
    this.yLabel = label;
    return this;
  }

  /** The values are counts: the axis keeps whole-number ticks however small they are. */
  public BarChart counts() {
    this.counts = true;
    return this;
  }

  /** How a bar's value is written above it. */
  public BarChart format(DoubleFunction<String> f) {
    this.format = f;
    return this;
  }

  public BarChart size(int w, int h) {
    this.width = w;
    this.height = h;
    return this;
  }

  /** A series in its own bar, in the next palette colour. */
  public BarChart add(String name, double... values) {
    return add(name, Axis.color(series.size()), name, values);
  }

  public BarChart add(String name, String color, String stack, double... values) {
    series.add(new Series(name, values, color, stack));
    return this;
  }

  public String svg() {
    Map<String, List<Series>> stacks = new LinkedHashMap<>();
    for (Series s : series) {
      stacks.computeIfAbsent(s.stack(), k -> new ArrayList<>()).add(s);
    }
    double maxY = 0;
    for (int c = 0; c < categories.size(); c++) {
      for (List<Series> stack : stacks.values()) {
        double sum = 0;
        for (Series s : stack) {
          sum += finite(s.values()[c]);
        }
        maxY = Math.max(maxY, sum);
      }
    }
    maxY = counts ? Math.max(4, 4 * Math.ceil(Axis.niceCeiling(maxY) / 4)) : Axis.niceCeiling(maxY);
    int plotW = width - LEFT - RIGHT;
    int plotH = height - TOP - BOTTOM;
    StringBuilder b = new StringBuilder(8 * 1024);
    Axis.open(b, id, title, width, height, LEFT);
    Axis.yGrid(b, maxY, LEFT, TOP, plotW, plotH);
    b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#999\"/>", LEFT,
        LEFT + plotW, TOP + plotH, TOP + plotH));
    double groupW = plotW / (double) Math.max(1, categories.size());
    double barW = Math.min(48, groupW * 0.8 / Math.max(1, stacks.size()));
    for (int c = 0; c < categories.size(); c++) {
      double x0 = LEFT + groupW * c + (groupW - barW * stacks.size()) / 2;
      int k = 0;
      for (List<Series> stack : stacks.values()) {
        double x = x0 + barW * k++;
        double base = 0;
        for (Series s : stack) {
          double v = finite(s.values()[c]);
          double h = plotH * v / maxY;
          double y = TOP + plotH - plotH * base / maxY - h;
          b.append(String.format(Locale.ROOT, "<rect class=\"bar\" data-series=\"%s\" data-value=\"%s\" x=\"%.1f\" "
              + "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s, %s: %s</title></rect>",
              Page.esc(s.name()), v, x + 1, y, barW - 2, h, s.color(), Page.esc(s.name()),
              Page.esc(categories.get(c)), Page.esc(format.apply(v))));
          if (stack.size() > 1 && h >= 14) {
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#fff\">"
                + "%s</text>", x + barW / 2, y + h / 2 + 4, Page.esc(format.apply(v))));
          }
          base += v;
        }
        double top = TOP + plotH - plotH * base / maxY;
        b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
            x + barW / 2, top - 3, Page.esc(format.apply(base))));
      }
      b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
          LEFT + groupW * c + groupW / 2, TOP + plotH + 16, Page.esc(categories.get(c))));
    }
    b.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\" "
        + "text-anchor=\"middle\">%s</text>", TOP + plotH / 2, TOP + plotH / 2, Page.esc(yLabel)));
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      int ly = TOP + 12 + 16 * i;
      b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"10\" fill=\"%s\"/>"
          + "<text x=\"%d\" y=\"%d\">%s</text>", LEFT + plotW + 10, ly - 9, s.color(), LEFT + plotW + 30, ly,
          Page.esc(s.name())));
    }
    return b.append("</svg>").toString();
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }
}
