package dev.verdict.server.security;

import java.util.HexFormat;

/**
 * The SHA-256 of a presented key, the only form in which keys are compared and remembered. One call hashes
 * its key once: each thread keeps the last key it hashed with its digest, since choosing the call's thread,
 * authenticating it and looking it up all ask for the same key in a row.
 */
record KeyDigest(byte[] bytes, String hex) {
    private static final ThreadLocal<Last> LAST = new ThreadLocal<>();

    private record Last(String key, KeyDigest digest) {}

    static KeyDigest of(String key) {
        Last last = LAST.get();
        if (last != null && last.key().equals(key)) {
            return last.digest();
        }
        byte[] bytes = BootstrapKey.sha256(key);
        KeyDigest digest = new KeyDigest(bytes, HexFormat.of().formatHex(bytes));
        LAST.set(new Last(key, digest));
        return digest;
    }
}
