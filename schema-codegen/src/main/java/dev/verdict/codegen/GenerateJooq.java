package dev.verdict.codegen;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Database;
import org.jooq.meta.jaxb.Generate;
import org.jooq.meta.jaxb.Generator;
import org.jooq.meta.jaxb.Jdbc;
import org.jooq.meta.jaxb.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates the server's jOOQ classes from the Flyway migrations.
 *
 * <p>Starts a throwaway embedded Postgres, applies the migrations found in a directory, runs jOOQ's
 * code generator against schema {@code public} and stops Postgres again.
 *
 * <pre>
 * java [-Dverdict.codegen.stamp=FILE] dev.verdict.codegen.GenerateJooq MIGRATIONS_DIR TARGET_DIR [PACKAGE]
 * </pre>
 *
 * <p>With {@code verdict.codegen.stamp} set, the file is written after a successful run; the server
 * build compares it with the migrations to skip regeneration when nothing changed.
 */
public final class GenerateJooq {
  private static final Logger LOG = LoggerFactory.getLogger(GenerateJooq.class);
  private static final String DEFAULT_PACKAGE = "dev.verdict.server.store.schema";

  private GenerateJooq() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: GenerateJooq MIGRATIONS_DIR TARGET_DIR [PACKAGE]");
      System.exit(2);
    }
    Path migrations = Path.of(args[0]).toAbsolutePath().normalize();
    Path target = Path.of(args[1]).toAbsolutePath().normalize();
    String packageName = args.length == 3 ? args[2] : DEFAULT_PACKAGE;
    if (!Files.isDirectory(migrations)) {
      throw new IllegalArgumentException("no migrations directory: " + migrations);
    }
    generate(migrations, target, packageName);
  }

  static void generate(Path migrations, Path target, String packageName) throws Exception {
    long start = System.nanoTime();
    LOG.info("running on Java {} ({})", Runtime.version(), System.getProperty("java.home"));
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      var migrated =
          Flyway.configure()
              .dataSource(pg.getPostgresDatabase())
              .locations("filesystem:" + migrations)
              .load()
              .migrate();
      LOG.info("applied {} migration(s) from {}", migrated.migrationsExecuted, migrations);

      Configuration configuration =
          new Configuration()
              .withJdbc(
                  new Jdbc()
                      .withDriver("org.postgresql.Driver")
                      .withUrl(pg.getJdbcUrl("postgres", "postgres"))
                      .withUser("postgres"))
              .withGenerator(
                  new Generator()
                      .withDatabase(
                          new Database()
                              .withName("org.jooq.meta.postgres.PostgresDatabase")
                              .withInputSchema("public")
                              .withIncludes(".*")
                              .withExcludes("flyway_schema_history"))
                      .withGenerate(
                          new Generate()
                              .withRecords(true)
                              .withTables(true)
                              .withKeys(true)
                              .withIndexes(true)
                              .withSequences(true)
                              .withPojos(false)
                              .withDaos(false)
                              .withJavaTimeTypes(true)
                              .withGeneratedAnnotation(false)
                              .withComments(true))
                      .withTarget(
                          new Target()
                              .withPackageName(packageName)
                              .withDirectory(target.toString())
                              .withClean(true)));
      GenerationTool.generate(configuration);
    }
    String stamp = System.getProperty("verdict.codegen.stamp");
    if (stamp != null && !stamp.isBlank()) {
      Path stampFile = Path.of(stamp);
      Files.createDirectories(stampFile.toAbsolutePath().getParent());
      Files.writeString(stampFile, packageName + System.lineSeparator());
    }
    LOG.info(
        "generated jOOQ classes for package {} into {} in {} ms",
        packageName,
        target,
        (System.nanoTime() - start) / 1_000_000);
  }
}
