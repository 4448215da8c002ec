package dev.verdict.server.security;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS for the gRPC port: the server's certificate chain and private key (PEM; the key in PKCS#8), and, for
 * mutual TLS, the CA whose certificates clients must present.
 *
 * @param certificateChain PEM certificate chain of the server
 * @param privateKey       PEM PKCS#8 private key of the server
 * @param clientCa         PEM CA certificates that sign client certificates; null for TLS without client certificates
 */
public record Tls(Path certificateChain, Path privateKey, Path clientCa) {

    public Tls {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    /** The server credentials; with a client CA, a client without a certificate it signed cannot connect. */
    public ServerCredentials credentials() {
        try {
            TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder()
                    .keyManager(certificateChain.toFile(), privateKey.toFile());
            if (clientCa != null) {
                tls.trustManager(clientCa.toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
            }
            return tls.build();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the TLS certificate, key or client CA", e);
        }
    }
}
