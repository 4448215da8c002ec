package dev.verdict.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The client key formats the builder reads: each traditional form is rewrapped as a PKCS#8 key that the JDK
 * (with no BouncyCastle involved) decodes to the very same key.
 */
class PrivateKeyPemTest {

    @Test
    void eachFormatBecomesTheSamePkcs8Key() throws Exception {
        TestCertificates certificates = new TestCertificates(Files.createTempDirectory("verdict-sdk-pem"));
        TestCertificates.Pem ca = certificates.authority("ca");
        for (TestCertificates.Algorithm algorithm : TestCertificates.Algorithm.values()) {
            TestCertificates.Pem leaf = certificates.leaf("leaf-" + algorithm, ca, algorithm);
            String traditional = Files.readString(leaf.traditionalKey());
            assertThat(traditional).contains(algorithm == TestCertificates.Algorithm.RSA
                    ? "BEGIN RSA PRIVATE KEY" : "BEGIN EC PRIVATE KEY");
            for (Path file : new Path[] {leaf.key(), leaf.traditionalKey()}) {
                PrivateKey read = decode(PrivateKeyPem.pkcs8(file), algorithm.name());
                if (read instanceof ECPrivateKey ec) {
                    // The encodings differ (OpenSSL's SEC1 names the curve inside too); the key is the same.
                    ECPrivateKey original = (ECPrivateKey) leaf.pair().getPrivate();
                    assertThat(ec.getS()).as(file.getFileName().toString()).isEqualTo(original.getS());
                    assertThat(ec.getParams().getOrder()).isEqualTo(original.getParams().getOrder());
                    assertThat(ec.getParams().getCurve()).isEqualTo(original.getParams().getCurve());
                } else {
                    assertThat(read).as(file.getFileName().toString()).isEqualTo(leaf.pair().getPrivate());
                }
            }
        }
    }

    @Test
    void encryptedAndUnknownKeysAreRefused() throws Exception {
        Path dir = Files.createTempDirectory("verdict-sdk-pem");
        Path legacyEncrypted = Files.writeString(dir.resolve("legacy.key"), """
                -----BEGIN RSA PRIVATE KEY-----
                Proc-Type: 4,ENCRYPTED
                DEK-Info: AES-128-CBC,00000000000000000000000000000000

                AAAA
                -----END RSA PRIVATE KEY-----
                """);
        Path dsa = Files.writeString(dir.resolve("dsa.key"),
                "-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n");
        Path explicitCurve = Files.writeString(dir.resolve("ec.key"), "-----BEGIN EC PRIVATE KEY-----\n"
                // SEQUENCE { INTEGER 1, OCTET STRING 01 } : no curve named
                + Base64.getEncoder().encodeToString(new byte[] {0x30, 0x06, 0x02, 0x01, 0x01, 0x04, 0x01, 0x01})
                + "\n-----END EC PRIVATE KEY-----\n");

        assertThatThrownBy(() -> PrivateKeyPem.pkcs8(legacyEncrypted)).hasMessageContaining("encrypted");
        assertThatThrownBy(() -> PrivateKeyPem.pkcs8(dsa)).hasMessageContaining("DSA PRIVATE KEY");
        assertThatThrownBy(() -> PrivateKeyPem.pkcs8(explicitCurve)).hasMessageContaining("names no curve");
    }

    private static PrivateKey decode(byte[] pem, String algorithm) throws Exception {
        String text = new String(pem, StandardCharsets.US_ASCII);
        assertThat(text).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        String body = text.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "");
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(body)));
    }
}
