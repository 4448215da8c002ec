package dev.verdict.client;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Certificates made by the tests (BouncyCastle, as the server's TlsTest does): a CA, and leaf certificates for
 * 127.0.0.1 and localhost signed by it, written as PEM files in a folder.
 */
final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** The key's algorithm: EC P-256 or RSA 2048. */
    enum Algorithm { EC, RSA }

    /**
     * A certificate and its key, the key written as unencrypted PKCS#8 ({@code key}) and in the traditional
     * OpenSSL form ({@code traditionalKey}: PKCS#1 for RSA, SEC1 for EC).
     */
    record Pem(Path certificate, Path key, Path traditionalKey, KeyPair pair, X509Certificate x509) {}

    private final Path dir;

    TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** A self-signed CA. */
    Pem authority(String name) throws Exception {
        return issue(name, null, true, Algorithm.EC);
    }

    /** A leaf certificate for 127.0.0.1 and localhost signed by {@code issuer}. */
    Pem leaf(String name, Pem issuer, Algorithm algorithm) throws Exception {
        return issue(name, issuer, false, algorithm);
    }

    private Pem issue(String name, Pem issuer, boolean isCa, Algorithm algorithm) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm.name());
        generator.initialize(algorithm == Algorithm.EC ? 256 : 2048);
        KeyPair pair = generator.generateKeyPair();
        X500Name subject = new X500Name("CN=verdict-sdk-test-" + name);
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                issuer == null ? subject : new X500Name(issuer.x509().getSubjectX500Principal().getName()),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(1, ChronoUnit.HOURS)),
                Date.from(now.plus(1, ChronoUnit.DAYS)), subject, pair.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (!isCa) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        }
        KeyPair signing = issuer == null ? pair : issuer.pair();
        String signature = signing.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        X509Certificate x509 = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(signature).build(signing.getPrivate())));
        Path cert = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        Path traditional = dir.resolve(name + "-traditional.key");
        Files.writeString(cert, pem(x509));
        Files.writeString(key, pem(new JcaPKCS8Generator(pair.getPrivate(), null).generate()));
        Files.writeString(traditional, pem(traditional(pair)));
        return new Pem(cert, key, traditional, pair, x509);
    }

    /**
     * The key in OpenSSL's traditional form: PKCS#1 {@code RSA PRIVATE KEY}, or SEC1 {@code EC PRIVATE KEY}
     * naming its curve as OpenSSL writes it (BouncyCastle's writer would leave the curve out).
     */
    private static Object traditional(KeyPair pair) {
        if (pair.getPrivate() instanceof ECPrivateKey ec) {
            try {
                byte[] der = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ec.getS(),
                        SECObjectIdentifiers.secp256r1).getEncoded();
                return new PemObject("EC PRIVATE KEY", der);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        // A JCA RSA private key written as such comes out as PKCS#1.
        return pair.getPrivate();
    }

    static String pem(Object value) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(value);
        }
        return out.toString();
    }
}
