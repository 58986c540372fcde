package dev.sluice.calibration;

/**
 * The byte-class counts of one prompt's text, as the body scanner measured them. Implemented by the
 * scanner's own record, so that an estimate reads the counts where they already are.
 */
public interface ClassCounts {

  /** The count of {@code c} in the prompt's text. */
  long count(ByteClass c);
}
