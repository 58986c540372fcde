package dev.sluice.html;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An SVG line chart: series of (x, y) points over linear axes from zero, or a latency CDF over the percentile
 * ("nines") axis. Every chart carries {@code data-chart} and every line {@code data-series}, so a test can find
 * them by name in the page a browser rendered.
 */
public final class LineChart {
  private static final int LEFT = 64;
  private static final int RIGHT = 170;
  private static final int TOP = 28;
  private static final int BOTTOM = 40;
  /** Series with at most this many points also get a dot at each point. */
  private static final int DOTS_UP_TO = 16;

  /** One line: its legend name, points as {x, y}, its colour and whether it is dashed. */
  public record Series(String name, List<double[]> points, String color, boolean dashed) {
  }

  private final String id;
  private final String title;
  private final List<Series> series = new ArrayList<>();
  private String xLabel = "";
  private String yLabel = "";
  private boolean nines;
  private int width = 640;
  private int height = 300;

  private LineChart(String id, String title) {
    this.id = id;
    this.title = title;
  }

  /** @param id the chart's {@code data-chart} name; {@code title} is drawn above the plot */
  public static LineChart of(String id, String title) {
    return new LineChart(id, title);
  }

  public LineChart axes(String x, String y) {
    this.xLabel = x;
    this.yLabel = y;
    return this;
  }

  /** x values are percentiles (0..100) drawn on the nines axis. */
  public LineChart percentileAxis() {
    this.nines = true;
    return this;
  }

  public LineChart size(int w, int h) {
    this.width = w;
    this.height = h;
    return this;
  }

  /** A solid line in the next palette colour. */
  public LineChart add(String name, List<double[]> points) {
    return add(name, points, Axis.color(series.size()), false);
  }

  public LineChart add(String name, List<double[]> points, String color, boolean dashed) {
    series.add(new Series(name, points, color, dashed));
    return this;
  }

  public boolean isEmpty() {
    return series.stream().allMatch(s -> s.points().isEmpty());
  }

  public String svg() {
    double maxX = 0;
    double maxY = 0;
    double minY = 0;
    for (Series s : series) {
      for (double[] p : s.points()) {
        maxX = Math.max(maxX, x(p[0]));
        maxY = Math.max(maxY, p[1]);
        minY = Math.min(minY, p[1]);
      }
    }
    maxX = nines ? Math.max(1, Math.ceil(maxX)) : Axis.niceCeiling(maxX);
    // below zero (a saving that is a loss) the axis extends by whole quarters of its span
    double span = Axis.niceCeiling(maxY - minY);
    double step = span / 4;
    minY = minY < 0 ? -step * Math.ceil(-minY / step) : 0;
    maxY = minY + Math.max(span, step * Math.ceil(maxY / step) - minY);
    int plotW = width - LEFT - RIGHT;
    int plotH = height - TOP - BOTTOM;
    StringBuilder b = new StringBuilder(8 * 1024);
    Axis.open(b, id, title, width, height, LEFT);
    b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
        + "stroke=\"#999\"/>", LEFT, TOP, plotW, plotH));
    Axis.yGrid(b, minY, maxY, LEFT, TOP, plotW, plotH);
    int xTicks = nines ? (int) maxX : 5;
    for (int i = 0; i <= xTicks; i++) {
      double v = maxX * i / xTicks;
      double x = LEFT + plotW * i / (double) xTicks;
      b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x,
          TOP + plotH + 14, nines ? Axis.ninesLabel(v) : Axis.label(v)));
    }
    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>"
        + "<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\" text-anchor=\"middle\">%s</text>",
        LEFT + plotW / 2, height - 6, Page.esc(xLabel), TOP + plotH / 2, TOP + plotH / 2, Page.esc(yLabel)));
    int legend = 0;
    for (Series s : series) {
      if (s.points().isEmpty()) {
        continue;
      }
      StringBuilder pts = new StringBuilder();
      StringBuilder dots = new StringBuilder();
      for (double[] p : s.points()) {
        double px = LEFT + plotW * Math.min(x(p[0]), maxX) / maxX;
        double py = TOP + plotH - plotH * (Math.min(p[1], maxY) - minY) / (maxY - minY);
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
        if (s.points().size() <= DOTS_UP_TO) {
          dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", px, py,
              s.color()));
        }
      }
      b.append("<polyline class=\"series\" data-series=\"").append(Page.esc(s.name())).append("\" fill=\"none\" ")
          .append("stroke-width=\"2\" stroke=\"").append(s.color()).append('"')
          .append(s.dashed() ? " stroke-dasharray=\"6 4\"" : "").append(" points=\"").append(pts).append("\"/>")
          .append(dots);
      int ly = TOP + 12 + 16 * legend++;
      b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" "
          + "stroke-width=\"3\"%s/><text x=\"%d\" y=\"%d\">%s</text>", LEFT + plotW + 10, LEFT + plotW + 30, ly - 4,
          ly - 4, s.color(), s.dashed() ? " stroke-dasharray=\"6 4\"" : "", LEFT + plotW + 34, ly, Page.esc(s.name())));
    }
    return b.append("</svg>").toString();
  }

  private double x(double raw) {
    return nines ? Axis.nines(raw) : raw;
  }
}
