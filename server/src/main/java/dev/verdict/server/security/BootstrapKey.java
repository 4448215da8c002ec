package dev.verdict.server.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's key: it creates, lists, reads, changes and deletes organizations, and nothing else. Only its
 * SHA-256 is kept in memory, compared in constant time; {@link #toString()} reveals nothing.
 */
public final class BootstrapKey {
    private static final Logger log = LoggerFactory.getLogger(BootstrapKey.class);
    /** Name of the generated key's file in the data folder. */
    public static final String FILE_NAME = "bootstrap.key";
    /** Environment variable that may hold the key. */
    public static final String ENVIRONMENT_VARIABLE = "VERDICT_BOOTSTRAP_KEY";
    private static final int MIN_LENGTH = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final byte[] hash;

    private BootstrapKey(String key) {
        this.hash = sha256(key);
    }

    /** A key given by configuration: at least 32 printable characters without spaces. */
    public static BootstrapKey of(String key) {
        if (key == null || key.length() < MIN_LENGTH || !key.chars().allMatch(c -> c > ' ' && c < 127)) {
            throw new IllegalArgumentException(
                    "the bootstrap key must be at least " + MIN_LENGTH + " printable ASCII characters without spaces");
        }
        return new BootstrapKey(key);
    }

    /** A fresh random key ({@code vb_} and 43 base64url characters of 32 random bytes). */
    public static String generate() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return "vb_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /**
     * The key configured by the environment variable {@code fromEnvironment} or the file {@code file} (never
     * both); with neither, the key kept in {@code dataDirectory}/{@value #FILE_NAME}, generated there (owner
     * read/write only) on first start. Only the file's path is logged, never the key.
     */
    public static BootstrapKey resolve(String fromEnvironment, Path file, Path dataDirectory) {
        boolean inEnvironment = fromEnvironment != null && !fromEnvironment.isBlank();
        if (inEnvironment && file != null) {
            throw new IllegalArgumentException(
                    "give the bootstrap key either in " + ENVIRONMENT_VARIABLE + " or with --bootstrap-key-file, not both");
        }
        if (inEnvironment) {
            return of(fromEnvironment.strip());
        }
        if (file != null) {
            return of(read(file));
        }
        Path generated = dataDirectory.resolve(FILE_NAME);
        if (!Files.exists(generated)) {
            create(generated);
            log.info("Generated a bootstrap key in {} (readable by its owner only)", generated.toAbsolutePath());
        } else {
            log.info("Using the bootstrap key in {}", generated.toAbsolutePath());
        }
        return of(read(generated));
    }

    /** Whether {@code presented} is this key; takes the same time wherever the two differ. */
    public boolean matches(String presented) {
        return matches(KeyDigest.of(presented));
    }

    /** Whether the key of {@code presented} is this key; takes the same time wherever the two differ. */
    boolean matches(KeyDigest presented) {
        return MessageDigest.isEqual(hash, presented.bytes());
    }

    @Override
    public String toString() {
        return "BootstrapKey[<redacted>]";
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the bootstrap key file " + file, e);
        }
    }

    private static void create(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(file);
            }
            Files.writeString(file, generate() + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (FileAlreadyExistsException raced) {
            // Another process created it first: use theirs.
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the bootstrap key file " + file, e);
        }
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
