package dev.sluice.dispatcher.security;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * {@code ./sluice hash-key}: reads one API key from standard input (so it stays out of shell history
 * and process lists) and prints the SHA-256 hex that goes into {@code security.keys[].sha256}.
 */
public final class HashKeyMain {

  private HashKeyMain() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0) {
      System.out.println("usage: printf %s \"$KEY\" | ./sluice hash-key   (prints the SHA-256 hex for the config)");
      return;
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String key = in.readLine();
    if (key == null || key.isBlank()) {
      System.err.println("sluice hash-key: no key on standard input");
      System.exit(2);
    }
    System.out.println(ApiKeys.sha256Hex(key.trim()));
  }
}
