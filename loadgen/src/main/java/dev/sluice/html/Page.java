package dev.sluice.html;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One self-contained HTML page: inline CSS and SVG, no scripts and no external resources, so it opens the
 * same offline, from a mail attachment or a CI artifact. Sections are appended in reading order.
 */
public final class Page {
  private static final String STYLE = "body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1500px}"
      + "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px;border-bottom:1px solid #ddd}"
      + "h3{font-size:14px;margin:12px 0 4px}p{margin:4px 0 8px}.note{color:#666;font-size:13px}"
      + "table{border-collapse:collapse;font-size:13px;margin:6px 0 10px}"
      + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}"
      + "td:first-child,th:first-child,td.text{text-align:left}.bad{color:#b00;font-weight:bold}.good{color:#070;font-weight:bold}"
      + ".row{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}.row>div{flex:0 0 auto}"
      + "svg{display:block;margin:6px 0 12px;background:#fff}code{background:#f5f5f5;padding:0 3px}"
      + ".formula{font-family:Georgia,serif;font-size:16px}";

  /** A cell that reads as a figure (right-aligned); anything else is text (left-aligned). */
  private static final Pattern NUMBER = Pattern.compile("[-+$0-9.,%/ ()]*");

  private final StringBuilder body = new StringBuilder(64 * 1024);
  private final String title;

  public Page(String title) {
    this.title = title;
  }

  public Page h1(String text) {
    return raw("<h1>" + esc(text) + "</h1>");
  }

  public Page h2(String text) {
    return raw("<h2>" + esc(text) + "</h2>");
  }

  public Page h3(String text) {
    return raw("<h3>" + esc(text) + "</h3>");
  }

  /** A paragraph of plain text. */
  public Page p(String text) {
    return raw("<p>" + esc(text) + "</p>");
  }

  /** A paragraph in the muted style, for what a figure means or where it came from. */
  public Page note(String text) {
    return raw("<p class=\"note\">" + esc(text) + "</p>");
  }

  /** Markup as given: the caller escapes what it took from outside. */
  public Page raw(String html) {
    body.append(html).append('\n');
    return this;
  }

  /** Side-by-side blocks (charts or tables) that wrap on a narrow window. */
  public Page row(String... blocks) {
    body.append("<div class=\"row\">");
    for (String block : blocks) {
      body.append("<div>").append(block).append("</div>");
    }
    body.append("</div>\n");
    return this;
  }

  /** A table of plain-text cells; the first row is the header. */
  public static String table(List<List<String>> rows) {
    StringBuilder b = new StringBuilder("<table>");
    for (int r = 0; r < rows.size(); r++) {
      b.append("<tr>");
      for (String cell : rows.get(r)) {
        String tag = r == 0 ? "th" : "td";
        String align = r > 0 && !NUMBER.matcher(cell).matches() ? " class=\"text\"" : "";
        b.append('<').append(tag).append(align).append('>').append(esc(cell)).append("</").append(tag).append('>');
      }
      b.append("</tr>");
    }
    return b.append("</table>").toString();
  }

  public String render() {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title)
        + "</title><style>" + STYLE + "</style></head><body>\n" + body + "</body></html>\n";
  }

  /** Text for HTML or SVG: the five characters that could end an element or an attribute. */
  public static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
