package dev.verdict.server.domain;

/** An identity-provider group mapped to a Verdict group; both names compare exactly, case included. */
public record IdpMapping(String idp, String externalGroup) {}
