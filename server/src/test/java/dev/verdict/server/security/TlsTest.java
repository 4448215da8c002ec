package dev.verdict.server.security;

import static dev.verdict.server.TestServer.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.SecureTestServer;
import dev.verdict.server.VerdictServer;
import dev.verdict.v1.ListOrganizationsRequest;
import dev.verdict.v1.OrganizationServiceGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.TimeUnit;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS and mutual TLS by configuration, with a CA, a server certificate (for 127.0.0.1 and localhost) and a
 * client certificate generated here.
 */
class TlsTest {
    private static Path dir;
    private static Pem ca;
    private static Pem server;
    private static Pem client;
    private static Pem stranger;
    private static VerdictServer tls;
    private static VerdictServer mutual;

    record Pem(Path certificate, Path key, KeyPair pair, X509Certificate x509) {}

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("verdict-tls");
        ca = certificate("ca", null, true);
        server = certificate("server", ca, false);
        client = certificate("client", ca, false);
        stranger = certificate("stranger", certificate("other-ca", null, true), false);
        tls = SecureTestServer.start(c -> c.withTls(new Tls(server.certificate(), server.key(), null)));
        mutual = SecureTestServer.start(c -> c.withTls(new Tls(server.certificate(), server.key(), ca.certificate())));
    }

    @AfterAll
    static void stop() {
        tls.close();
        mutual.close();
    }

    @Test
    void aTlsCallWorks() throws IOException {
        ManagedChannel channel = channel(tls, TlsChannelCredentials.newBuilder().trustManager(ca.certificate().toFile()).build());
        try {
            assertThat(health(channel)).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            // An authenticated call over TLS.
            assertThat(SecureTestServer.withKey(OrganizationServiceGrpc.newBlockingStub(channel), SecureTestServer.BOOTSTRAP_KEY)
                    .listOrganizations(ListOrganizationsRequest.newBuilder().setPageSize(1).build())
                    .getOrganizationsCount()).isLessThanOrEqualTo(1);
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void plaintextToATlsPortFails() {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", tls.port()).usePlaintext().build();
        try {
            StatusRuntimeException e = failure(() -> health(channel));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void mutualTlsRefusesAClientWithoutACertificate() throws IOException {
        ManagedChannel channel = channel(mutual, TlsChannelCredentials.newBuilder().trustManager(ca.certificate().toFile()).build());
        try {
            StatusRuntimeException e = failure(() -> health(channel));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void mutualTlsRefusesACertificateOfAnotherCa() throws IOException {
        ManagedChannel channel = channel(mutual, TlsChannelCredentials.newBuilder()
                .trustManager(ca.certificate().toFile())
                .keyManager(stranger.certificate().toFile(), stranger.key().toFile())
                .build());
        try {
            StatusRuntimeException e = failure(() -> health(channel));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void mutualTlsAcceptsAClientCertificate() throws IOException {
        ManagedChannel channel = channel(mutual, TlsChannelCredentials.newBuilder()
                .trustManager(ca.certificate().toFile())
                .keyManager(client.certificate().toFile(), client.key().toFile())
                .build());
        try {
            assertThat(health(channel)).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        } finally {
            channel.shutdownNow();
        }
    }

    private static HealthCheckResponse.ServingStatus health(ManagedChannel channel) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    }

    private static ManagedChannel channel(VerdictServer target, ChannelCredentials credentials) {
        return NettyChannelBuilder.forAddress("127.0.0.1", target.port(), credentials).build();
    }

    /** A certificate signed by {@code issuer} (self-signed when null), written as PEM with its PKCS#8 key. */
    private static Pem certificate(String name, Pem issuer, boolean isCa) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair pair = generator.generateKeyPair();
        X500Name subject = new X500Name("CN=verdict-test-" + name);
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                issuer == null ? subject : new X500Name(issuer.x509().getSubjectX500Principal().getName()),
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(1, ChronoUnit.HOURS)),
                Date.from(now.plus(1, ChronoUnit.DAYS)), subject, pair.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (!isCa) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        }
        var signer = new JcaContentSignerBuilder("SHA256withECDSA")
                .build(issuer == null ? pair.getPrivate() : issuer.pair().getPrivate());
        X509Certificate x509 = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        Path cert = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        Files.writeString(cert, pem(x509));
        Files.writeString(key, pem(new JcaPKCS8Generator(pair.getPrivate(), null).generate()));
        return new Pem(cert, key, pair, x509);
    }

    private static String pem(Object value) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(value);
        }
        return out.toString();
    }
}
