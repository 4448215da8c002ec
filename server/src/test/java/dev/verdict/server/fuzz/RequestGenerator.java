package dev.verdict.server.fuzz;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.UnknownFieldSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Random requests from the proto descriptors, driven by one seeded {@link Random}: each field is left unset,
 * given a value that fits the seeded organizations (real ids, keys, stages, emails, tokens), or an edge value
 * (empty, huge, unicode, SQL-ish, path-ish, NUL, unknown enum numbers, out-of-range numbers, random field
 * masks). {@code chaos} is the chance of an edge value, so a low chaos gives near-valid requests with a few
 * mutations and a high chaos gives garbage.
 */
public final class RequestGenerator {
    private static final int MAX_DEPTH = 5;

    private static final List<String> EDGE_STRINGS = List.of(
            "", " ", "  padded  ", "a", "A", "Z.B", "a..b", ".a", "a.", "_", "%", "%%", "*", "\\", "'", "\"",
            "'; DROP TABLE app_user; --", "' OR '1'='1", "1; SELECT pg_sleep(10)", "$1", "?", "{}", "[]", "null",
            "../../etc/passwd", "..", "/", "C:\\windows", "\u0000", "a\u0000b", "\u0000\u0000", "\r\n", "\t",
            "é", "名前", "😀", "e\u0301", "\u202Emoc.elgoog", "\uFEFF", "\uD800", "ｆｕｌｌ", "İstanbul",
            "-1", "0", "9223372036854775808", "-9223372036854775809", "1e10", "NaN",
            "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
            "not-a-uuid", "12345678123456781234567812345678", "user@", "@example.com", "a@b", "a@b.c",
            "<script>alert(1)</script>", "${jndi:ldap://x/a}", "%s%s%s%n", "administrator", "developer",
            "development", "qa", "production", "app.change", "users.manage");

    private static final List<String> WORDS = List.of("alpha", "beta", "gamma", "delta", "shop", "ops", "x");

    private final Random random;
    private final FuzzSeed seed;
    private double chaos;

    public RequestGenerator(Random random, FuzzSeed seed) {
        this.random = random;
        this.seed = seed;
    }

    /** A random request of {@code type}. */
    public DynamicMessage request(Descriptor type) {
        chaos = switch (random.nextInt(4)) {
            case 0 -> 0.02;
            case 1 -> 0.1;
            case 2 -> 0.35;
            default -> 0.8;
        };
        DynamicMessage message = message(type, 0, random.nextDouble() < 0.7 ? 0.9 : 0.5);
        if (random.nextInt(50) == 0) {
            message = message.toBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
                    .addField(900 + random.nextInt(100), UnknownFieldSet.Field.newBuilder()
                            .addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8(edgeString())).build())
                    .build()).build();
        }
        return message;
    }

    /** {@code valid} with one or two of its fields (or nested fields) replaced by edge values. */
    DynamicMessage mutate(DynamicMessage valid) {
        chaos = 1.0;
        DynamicMessage.Builder builder = valid.toBuilder();
        int mutations = 1 + random.nextInt(2);
        for (int i = 0; i < mutations; i++) {
            List<FieldDescriptor> fields = valid.getDescriptorForType().getFields();
            FieldDescriptor field = fields.get(random.nextInt(fields.size()));
            if (random.nextInt(4) == 0) {
                builder.clearField(field);
            } else {
                setRandom(builder, field, 1);
            }
        }
        return builder.build();
    }

    private DynamicMessage message(Descriptor type, int depth, double fill) {
        DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
        if (type.getFullName().equals("google.protobuf.FieldMask")) {
            return fieldMask(builder, type);
        }
        if (type.getFullName().equals("google.protobuf.Timestamp")) {
            builder.setField(type.findFieldByName("seconds"), edgeLong());
            builder.setField(type.findFieldByName("nanos"), (int) edgeLong());
            return builder.build();
        }
        for (OneofDescriptor oneof : type.getRealOneofs()) {
            if (random.nextDouble() < fill) {
                List<FieldDescriptor> choices = oneof.getFields();
                setRandom(builder, choices.get(random.nextInt(choices.size())), depth);
            }
        }
        for (FieldDescriptor field : type.getFields()) {
            if (field.getRealContainingOneof() != null || random.nextDouble() >= fill) {
                continue;
            }
            setRandom(builder, field, depth);
        }
        return builder.build();
    }

    private void setRandom(DynamicMessage.Builder builder, FieldDescriptor field, int depth) {
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth >= MAX_DEPTH) {
            return;
        }
        if (field.isRepeated()) {
            builder.clearField(field);
            int n = switch (random.nextInt(10)) {
                case 0 -> 0;
                case 1 -> 20 + random.nextInt(20);
                case 2 -> random.nextInt(5) == 0 ? 1001 + random.nextInt(50) : 6;
                default -> 1 + random.nextInt(3);
            };
            for (int i = 0; i < n; i++) {
                builder.addRepeatedField(field, value(field, depth));
            }
        } else {
            builder.setField(field, value(field, depth));
        }
    }

    private Object value(FieldDescriptor field, int depth) {
        return switch (field.getJavaType()) {
            case STRING -> string(field.getName());
            case INT -> (int) integer(field.getName());
            case LONG -> integer(field.getName());
            case BOOLEAN -> random.nextBoolean();
            case FLOAT -> (float) random.nextGaussian();
            case DOUBLE -> random.nextGaussian();
            case BYTE_STRING -> com.google.protobuf.ByteString.copyFromUtf8(edgeString());
            case ENUM -> enumValue(field.getEnumType());
            case MESSAGE -> message(field.getMessageType(), depth + 1, random.nextDouble() < 0.8 ? 0.8 : 0.3);
        };
    }

    private Object enumValue(EnumDescriptor type) {
        if (random.nextDouble() < chaos) {
            int number = random.nextBoolean() ? 50 + random.nextInt(1000) : -1 - random.nextInt(5);
            return type.findValueByNumberCreatingIfUnknown(number);
        }
        return type.getValues().get(random.nextInt(type.getValues().size()));
    }

    private long integer(String name) {
        if (random.nextDouble() < chaos) {
            return edgeLong();
        }
        if (name.contains("revision")) {
            return random.nextInt(40);
        }
        return random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(50);
    }

    private long edgeLong() {
        return switch (random.nextInt(9)) {
            case 0 -> -1;
            case 1 -> Integer.MAX_VALUE;
            case 2 -> Integer.MIN_VALUE;
            case 3 -> Long.MAX_VALUE;
            case 4 -> Long.MIN_VALUE;
            case 5 -> 1000;
            case 6 -> 1001;
            case 7 -> 1_000_000_000;
            default -> random.nextLong();
        };
    }

    private DynamicMessage fieldMask(DynamicMessage.Builder builder, Descriptor type) {
        FieldDescriptor paths = type.findFieldByName("paths");
        int n = random.nextInt(4);
        List<String> known = List.of("name", "stages", "display_name", "description", "section", "implies", "grants",
                "email", "status", "classification", "external_identities", "role_grants", "idp_mappings", "key",
                "kind", "level", "built_in", "user_id", "organization_id", "stage", "member_count");
        for (int i = 0; i < n; i++) {
            builder.addRepeatedField(paths, random.nextDouble() < chaos ? edgeString() : known.get(random.nextInt(known.size())));
        }
        return builder.build();
    }

    private String string(String field) {
        if (random.nextDouble() < chaos) {
            return edgeString();
        }
        String name = field.toLowerCase(Locale.ROOT);
        String singular = name.endsWith("s") && !name.equals("status") ? name.substring(0, name.length() - 1) : name;
        Supplier<String> realistic = switch (singular) {
            case "organization_id" -> () -> pick(seed.organizationIds(), 0.9);
            case "user_id", "principal_id" -> () -> pick(seed.userIds(), 0.8);
            case "api_client_id" -> () -> pick(seed.apiClientIds(), 0.8);
            case "group_id" -> () -> pick(seed.groupIds(), 0.8);
            case "assignment_id" -> () -> pick(seed.assignmentIds(), 0.8);
            case "request_id" -> () -> random.nextInt(4) == 0 ? "0f0f0f0f-0000-4000-8000-00000000000" + random.nextInt(10)
                    : new UUID(random.nextLong(), random.nextLong()).toString();
            case "email", "user_email", "query" -> () -> random.nextBoolean() ? pick(seed.emails(), 1)
                    : "fuzz-" + random.nextInt(1000) + "@example.com";
            case "app_key" -> () -> pick(seed.appKeys(), 0.9);
            case "role_key" -> () -> pick(seed.roleKeys(), 0.9);
            case "permission_key", "implie" -> () -> pick(seed.permissionKeys(), 0.9);
            case "key" -> () -> random.nextBoolean() ? pick(seed.roleKeys(), 0.5) : pick(seed.permissionKeys(), 0.5);
            case "stage" -> () -> pick(seed.stages(), 0.9);
            case "idp" -> () -> random.nextBoolean() ? "okta" : "azure";
            case "external_group", "subject" -> () -> WORDS.get(random.nextInt(WORDS.size()));
            case "at_least_as_fresh" -> () -> Integer.toString(random.nextInt(60));
            case "page_token" -> () -> random.nextBoolean() ? "" : java.util.Base64.getUrlEncoder()
                    .encodeToString(edgeString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            default -> () -> WORDS.get(random.nextInt(WORDS.size())) + (random.nextBoolean() ? "" : random.nextInt(100));
        };
        return realistic.get();
    }

    /** A real value with chance {@code real}, otherwise a random UUID or key. */
    private String pick(List<String> real, double chance) {
        if (!real.isEmpty() && random.nextDouble() < chance) {
            return real.get(random.nextInt(real.size()));
        }
        return random.nextBoolean() ? new UUID(random.nextLong(), random.nextLong()).toString()
                : WORDS.get(random.nextInt(WORDS.size())) + random.nextInt(10);
    }

    private String edgeString() {
        return switch (random.nextInt(12)) {
            case 0 -> "a".repeat(random.nextBoolean() ? 64 + random.nextInt(300) : 2_000 + random.nextInt(3_000));
            case 1 -> random.nextInt(8) == 0 ? "x".repeat(100_000) : "é".repeat(101);
            case 2 -> randomUnicode(1 + random.nextInt(40));
            default -> EDGE_STRINGS.get(random.nextInt(EDGE_STRINGS.size()));
        };
    }

    private String randomUnicode(int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.appendCodePoint(random.nextInt(4) == 0 ? random.nextInt(0x80) : random.nextInt(0x2FFFF));
        }
        return text.toString();
    }

    /** Seeded organizations' real values, for requests that get past validation. */
    public interface FuzzSeed {
        List<String> organizationIds();

        List<String> userIds();

        List<String> apiClientIds();

        List<String> groupIds();

        List<String> assignmentIds();

        List<String> emails();

        List<String> appKeys();

        List<String> roleKeys();

        List<String> permissionKeys();

        List<String> stages();
    }
}
