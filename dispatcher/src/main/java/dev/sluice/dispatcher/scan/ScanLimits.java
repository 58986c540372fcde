package dev.sluice.dispatcher.scan;

/**
 * Limits the scanner enforces while parsing (hostile-input guards).
 *
 * <p>The same bounds configure Jackson's {@code StreamReadConstraints}, so hostile input (deep
 * nesting, huge numbers, huge strings) fails inside the parser as soon as the bound is crossed.
 *
 * @param maxDepth        maximum JSON nesting (the top-level object is depth 1)
 * @param maxNumberLength maximum characters in one number
 * @param maxStringLength maximum decoded bytes in one prompt string; every other string is held to the
 *                        same number of chars
 */
public record ScanLimits(int maxDepth, int maxNumberLength, int maxStringLength) {
  public static final ScanLimits DEFAULTS = new ScanLimits(64, 100, 16 * 1024 * 1024);
}
