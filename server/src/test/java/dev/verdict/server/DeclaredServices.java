package dev.verdict.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.verdict.v1.OrganizationProto;
import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Every service declared in the {@code verdict.v1} protos, found by scanning the class path for the generated
 * {@code dev.verdict.v1.*Proto} classes: a new proto file or RPC is covered by the tests that walk this list
 * (request fuzzing, organization isolation, authorization) without anybody adding it to a list by hand.
 */
public final class DeclaredServices {
    private DeclaredServices() {}

    /** The service descriptors of every {@code dev.verdict.v1.*Proto} class, by file name. */
    public static List<ServiceDescriptor> all() {
        List<ServiceDescriptor> services = new ArrayList<>();
        for (String outer : protoClasses()) {
            try {
                FileDescriptor file = (FileDescriptor) Class.forName("dev.verdict.v1." + outer)
                        .getMethod("getDescriptor").invoke(null);
                services.addAll(file.getServices());
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        // The scan found the generated classes at all (an empty list would make every walk pass vacuously).
        assertThat(services).extracting(ServiceDescriptor::getFullName).contains("verdict.v1.OrganizationService");
        return services;
    }

    private static List<String> protoClasses() {
        URL anchor = OrganizationProto.class.getResource("OrganizationProto.class");
        try {
            if (anchor.getProtocol().equals("file")) {
                try (Stream<Path> files = Files.list(Path.of(anchor.toURI()).getParent())) {
                    return files.map(f -> f.getFileName().toString())
                            .filter(f -> f.endsWith("Proto.class"))
                            .map(f -> f.substring(0, f.length() - ".class".length()))
                            .sorted().toList();
                }
            }
            JarURLConnection jar = (JarURLConnection) anchor.openConnection();
            try (JarFile file = jar.getJarFile()) {
                return file.stream().map(JarEntry::getName)
                        .filter(e -> e.startsWith("dev/verdict/v1/") && e.endsWith("Proto.class") && e.indexOf('$') < 0)
                        .map(e -> e.substring("dev/verdict/v1/".length(), e.length() - ".class".length()))
                        .sorted().toList();
            }
        } catch (IOException | URISyntaxException e) {
            throw new AssertionError(e);
        }
    }
}
