package dev.verdict.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the client's private key (PEM) and hands gRPC an unencrypted PKCS#8 {@code PRIVATE KEY}, the one form
 * its TLS reads on every classpath (Netty reads the traditional OpenSSL forms only when BouncyCastle happens to
 * be present). PKCS#1 {@code RSA PRIVATE KEY} and SEC1 {@code EC PRIVATE KEY} are rewrapped as PKCS#8, which is
 * lossless: PKCS#8 is an algorithm identifier around the very same structure. Encrypted keys are refused.
 */
final class PrivateKeyPem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    // DER of the OIDs rsaEncryption (1.2.840.113549.1.1.1) and id-ecPublicKey (1.2.840.10045.2.1).
    private static final byte[] RSA_ENCRYPTION = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final byte[] DER_NULL = {0x05, 0x00};
    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

    private PrivateKeyPem() {}

    /** The key in {@code file} as PKCS#8 PEM; an {@link IllegalArgumentException} says why a key cannot be used. */
    static byte[] pkcs8(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the client key " + file + ": " + e.getMessage(), e);
        }
        Matcher block = BLOCK.matcher(text);
        if (!block.find()) {
            throw new IllegalArgumentException("the client key " + file + " holds no PEM private key "
                    + "(expected -----BEGIN PRIVATE KEY-----)");
        }
        String label = block.group(1);
        String body = block.group(2);
        if (label.equals("ENCRYPTED PRIVATE KEY") || body.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new IllegalArgumentException("the client key " + file + " is encrypted; decrypt it, for example "
                    + "with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(body.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the client key " + file + " is not valid PEM: " + e.getMessage(), e);
        }
        byte[] pkcs8 = switch (label) {
            case "PRIVATE KEY" -> der;
            case "RSA PRIVATE KEY" -> wrap(sequence(RSA_ENCRYPTION, DER_NULL), der);
            case "EC PRIVATE KEY" -> wrap(sequence(EC_PUBLIC_KEY, curve(der, file)), der);
            default -> throw new IllegalArgumentException("the client key " + file + " is a '" + label
                    + "'; use PKCS#8 (BEGIN PRIVATE KEY), PKCS#1 (BEGIN RSA PRIVATE KEY) or SEC1 (BEGIN EC PRIVATE KEY)");
        };
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n";
        return pem.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Fails with an {@link IllegalArgumentException} unless {@code pkcs8Pem} (as {@link #pkcs8} returns it) is the
     * private key of the first certificate in {@code chainFile}: a test signature made with the key must verify
     * with the certificate's public key. Otherwise the mistake would only show at the first call, as a failed
     * handshake. A key type the JDK cannot sign with is left to gRPC.
     */
    static void requireMatch(Path chainFile, byte[] pkcs8Pem, Path keyFile) {
        X509Certificate leaf;
        try (InputStream in = Files.newInputStream(chainFile)) {
            leaf = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the client certificate " + chainFile + ": "
                    + e.getMessage(), e);
        }
        PublicKey publicKey = leaf.getPublicKey();
        String algorithm = switch (publicKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> publicKey.getAlgorithm();
        };
        String text = new String(pkcs8Pem, StandardCharsets.US_ASCII)
                .replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "");
        byte[] probe = "verdict-client-key-check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signing = Signature.getInstance(algorithm);
            PrivateKey privateKey = KeyFactory.getInstance(publicKey.getAlgorithm())
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(text.strip())));
            signing.initSign(privateKey);
            signing.update(probe);
            byte[] signature = signing.sign();
            Signature verifying = Signature.getInstance(algorithm);
            verifying.initVerify(publicKey);
            verifying.update(probe);
            matches = verifying.verify(signature);
        } catch (NoSuchAlgorithmException e) {
            return;
        } catch (GeneralSecurityException | RuntimeException e) {
            matches = false;
        }
        if (!matches) {
            throw new IllegalArgumentException("the client key " + keyFile + " is not the private key of the "
                    + "certificate " + chainFile + " (a " + publicKey.getAlgorithm() + " key was expected)");
        }
    }

    /** PrivateKeyInfo ::= SEQUENCE { version 0, algorithm, privateKey OCTET STRING }. */
    private static byte[] wrap(byte[] algorithm, byte[] key) {
        return sequence(VERSION_0, algorithm, tlv(0x04, key));
    }

    /**
     * The named curve of a SEC1 ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING,
     * parameters [0] OID OPTIONAL, publicKey [1] BIT STRING OPTIONAL }, as the OID's DER.
     */
    private static byte[] curve(byte[] sec1, Path file) {
        try {
            int[] outer = header(sec1, 0);
            if (sec1[0] != 0x30) {
                throw new IllegalArgumentException("not a SEQUENCE");
            }
            int at = outer[0];
            int end = at + outer[1];
            while (at < end) {
                int[] element = header(sec1, at);
                if ((sec1[at] & 0xff) == 0xa0) {
                    int[] oid = header(sec1, element[0]);
                    if (sec1[element[0]] != 0x06) {
                        break;
                    }
                    byte[] result = new byte[oid[0] - element[0] + oid[1]];
                    System.arraycopy(sec1, element[0], result, 0, result.length);
                    return result;
                }
                at = element[0] + element[1];
            }
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("the client key " + file + " is not a valid EC PRIVATE KEY", e);
        }
        throw new IllegalArgumentException("the client key " + file + " names no curve; convert it with: "
                + "openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
    }

    /** The offset of the content and its length, for the DER element whose tag is at {@code at}. */
    private static int[] header(byte[] der, int at) {
        int first = der[at + 1] & 0xff;
        if (first < 0x80) {
            return new int[] {at + 2, first};
        }
        int count = first & 0x7f;
        if (count == 0 || count > 3) {
            throw new IllegalArgumentException("unsupported DER length");
        }
        int length = 0;
        for (int i = 0; i < count; i++) {
            length = (length << 8) | (der[at + 2 + i] & 0xff);
        }
        if (at + 2 + count + length > der.length) {
            throw new IllegalArgumentException("truncated DER");
        }
        return new int[] {at + 2 + count, length};
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        return tlv(0x30, content.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else if (length < 0x10000) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        } else {
            out.write(0x83);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }
}
