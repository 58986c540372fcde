package dev.sluice.dispatcher.scan;

/** Tells a media URL the model server would fetch from one it would not. */
public final class MediaUrl {
  private MediaUrl() {
  }

  /**
   * Whether an {@code image_url.url} (or video/audio) value makes the model server fetch something: anything
   * but a {@code data:} URL (leading whitespace ignored, scheme case-insensitive). Allocation-free.
   */
  public static boolean isRemote(CharSequence url) {
    int i = 0;
    int n = url.length();
    while (i < n && Character.isWhitespace(url.charAt(i))) {
      i++;
    }
    if (n - i < 5) {
      return n - i > 0;
    }
    return !((url.charAt(i) | 0x20) == 'd'
        && (url.charAt(i + 1) | 0x20) == 'a'
        && (url.charAt(i + 2) | 0x20) == 't'
        && (url.charAt(i + 3) | 0x20) == 'a'
        && url.charAt(i + 4) == ':');
  }
}
