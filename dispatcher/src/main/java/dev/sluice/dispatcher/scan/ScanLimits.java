package dev.sluice.dispatcher.scan;

/**
 * Limits the scanner enforces while parsing (hostile-input guards).
 *
 * @param maxDepth        maximum JSON nesting
 * @param maxNumberLength maximum characters in one number
 * @param maxStringLength maximum decoded bytes in one string
 */
public record ScanLimits(int maxDepth, int maxNumberLength, int maxStringLength) {
  public static final ScanLimits DEFAULTS = new ScanLimits(64, 100, 16 * 1024 * 1024);
}
