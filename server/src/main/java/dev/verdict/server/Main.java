package dev.verdict.server;

/**
 * PLACEHOLDER written by the build setup only to prove `exec:exec@serve`; the real entry point
 * (configuration, wiring, gRPC server) replaces this file.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.out.println(
        "Verdict server placeholder on Java "
            + Runtime.version()
            + " with args "
            + String.join(" ", args));
  }
}
