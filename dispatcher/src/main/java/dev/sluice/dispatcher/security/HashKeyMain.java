package dev.sluice.dispatcher.security;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code ./sluice hash-key}: reads one API key from standard input (so it stays out of shell history
 * and process lists) and prints the SHA-256 hex that goes into {@code security.keys[].sha256}.
 */
@Command(name = "hash-key", description = {
    "SHA-256 of an API key read from standard input, for security.keys[].sha256.",
    "Example: printf %%s \"$KEY\" | ./sluice hash-key"})
public final class HashKeyMain implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String key = in.readLine();
    if (key == null || key.isBlank()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "no key on standard input");
    }
    spec.commandLine().getOut().println(ApiKeys.sha256Hex(key.trim()));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
